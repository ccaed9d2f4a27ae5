"""The outbox's models, moved here from accounts with their tables (db_table), so no data
moves: on a database accounts' migrations built, this only tells Django's state where
the models live now, and relabels their content types (admin history, permissions).
On a fresh database accounts' 0002 and 0004 still create the tables, before this runs.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("notification", "notificationpreference", "bouncingaddress")


def _relabel(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model__in=MOVED).update(app_label=new)


def _content_types_here(apps, schema_editor) -> None:
    _relabel(apps, "accounts", "notifications")


def _content_types_back(apps, schema_editor) -> None:
    _relabel(apps, "notifications", "accounts")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The tables exist (accounts 0002 and 0004) and their state is still accounts'.
        ("accounts", "0005_account_effect"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BouncingAddress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('email', models.CharField(max_length=254, unique=True)),
                        ('bounces', models.PositiveIntegerField(default=1)),
                        ('last_bounced_at', models.DateTimeField()),
                        ('reason', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'accounts_bouncingaddress',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('to_email', models.EmailField(blank=True, max_length=254)),
                        ('kind', models.CharField(max_length=64)),
                        ('channel', models.CharField(choices=[('email', 'Email'), ('bell', 'In-console bell')], max_length=8)),
                        ('language', models.CharField(choices=[('en', 'English'), ('zh-hans', 'Simplified Chinese')], max_length=8)),
                        ('context', models.JSONField(blank=True, default=dict)),
                        ('dedupe_key', models.CharField(blank=True, max_length=255)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='pending', max_length=8)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField()),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('status__in', ['pending', 'sending'])), fields=['next_attempt_at'], name='notification_due_idx'), models.Index(condition=models.Q(('channel', 'bell'), ('read_at__isnull', True), ('status', 'sent')), fields=['recipient', '-created_at'], name='notification_bell_unread_idx'), models.Index(condition=models.Q(('channel', 'bell'), ('status', 'sent')), fields=['recipient', '-created_at'], name='notification_bell_recent_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('dedupe_key', ''), _negated=True), fields=('dedupe_key',), name='notification_dedupe_key_unique'), models.CheckConstraint(condition=models.Q(('recipient__isnull', False), models.Q(('to_email', ''), _negated=True), _connector='OR'), name='notification_has_an_addressee'), models.CheckConstraint(condition=models.Q(models.Q(('channel', 'bell'), _negated=True), ('recipient__isnull', False), _connector='OR'), name='notification_bell_needs_a_user'), models.CheckConstraint(condition=models.Q(('channel__in', ['email', 'bell'])), name='notification_channel_valid'), models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sending', 'sent', 'failed', 'skipped'])), name='notification_status_valid'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'sent'), _negated=True), ('sent_at__isnull', False), _connector='OR'), name='notification_sent_has_sent_at'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'sending'), _negated=True), ('claimed_at__isnull', False), _connector='OR'), name='notification_sending_is_claimed')],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('kind', models.CharField(max_length=64)),
                        ('email', models.BooleanField()),
                        ('bell', models.BooleanField()),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preferences', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_notificationpreference',
                        'constraints': [models.UniqueConstraint(fields=('user', 'kind'), name='notification_preference_one_per_kind')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_types_here, _content_types_back),
    ]
