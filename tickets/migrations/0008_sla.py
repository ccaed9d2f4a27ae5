# SLA policies, clocks on tickets, escalations; team calendars.

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('helpcenter', '0002_search_vector_gin'),
        ('tickets', '0007_ticket_followers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SlaEscalation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('target', models.CharField(choices=[('first_response', 'First response'), ('next_response', 'Next response'), ('resolution', 'Resolution')], max_length=16)),
                ('step', models.CharField(choices=[('warning', 'At risk'), ('breach', 'Breached')], max_length=8)),
                ('cycle', models.CharField(blank=True, max_length=40)),
                ('due_at', models.DateTimeField()),
                ('happened_at', models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name='SlaPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=120)),
                ('priority', models.CharField(blank=True, choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], help_text='Empty: any priority.', max_length=8)),
                ('first_response_minutes', models.PositiveIntegerField(blank=True, help_text='Business minutes until the first public reply.', null=True)),
                ('next_response_minutes', models.PositiveIntegerField(blank=True, help_text='Business minutes to answer each later customer message.', null=True)),
                ('resolution_minutes', models.PositiveIntegerField(blank=True, help_text='Business minutes until solved, not counting time waiting on the customer.', null=True)),
                ('warn_at_percent', models.PositiveSmallIntegerField(default=75, help_text='Warn the assignee once this share of a target has passed.')),
                ('raise_priority_on_breach', models.BooleanField(default=True)),
                ('is_active', models.BooleanField(default=True)),
            ],
            options={
                'verbose_name': 'SLA policy',
                'verbose_name_plural': 'SLA policies',
                'ordering': ['ticket_type__position', 'priority'],
            },
        ),
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_open_counts',
        ),
        migrations.AddField(
            model_name='team',
            name='calendar',
            field=models.ForeignKey(blank=True, help_text='Business hours its SLA clocks follow. Empty: around the clock.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='helpcenter.businesscalendar'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='awaiting_reply_since',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='first_responded_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_next_check_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_paused',
            field=models.DurationField(default=datetime.timedelta(0)),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_paused_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_target',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_warn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='ticketevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('replied', 'Replied'), ('note', 'Internal note'), ('status', 'Status changed'), ('priority', 'Priority changed'), ('assigned', 'Assigned'), ('rated', 'Rated'), ('complained', 'Complaint filed'), ('outcome', 'Complaint outcome'), ('tagged', 'Tags changed'), ('merged', 'Merged'), ('followed', 'Follower added'), ('unfollowed', 'Follower removed'), ('split_to', 'Split into a new ticket'), ('split_from', 'Split from a ticket'), ('team', 'Team changed'), ('sla_warning', 'SLA at risk'), ('sla_breach', 'SLA breached')], max_length=12),
        ),
        migrations.AddField(
            model_name='slaescalation',
            name='ticket',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sla_escalations', to='tickets.ticket'),
        ),
        migrations.AddField(
            model_name='slapolicy',
            name='move_to_team_on_breach',
            field=models.ForeignKey(blank=True, help_text='If set, a breached ticket moves to this team.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tickets.team'),
        ),
        migrations.AddField(
            model_name='slapolicy',
            name='ticket_type',
            field=models.ForeignKey(blank=True, help_text='Empty: any type.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sla_policies', to='tickets.tickettype'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_policy',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tickets.slapolicy'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('status__in', ['new', 'open', 'pending', 'on_hold'])), fields=['type', 'status', 'assignee', 'team', 'sla_warn_at'], name='ticket_open_counts'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('sla_next_check_at__isnull', False)), fields=['sla_next_check_at'], name='ticket_sla_next_check'),
        ),
        migrations.AddIndex(
            model_name='slaescalation',
            index=models.Index(fields=['step', 'happened_at'], name='tickets_sla_step_956654_idx'),
        ),
        migrations.AddConstraint(
            model_name='slaescalation',
            constraint=models.UniqueConstraint(fields=('ticket', 'target', 'step', 'cycle'), name='sla_escalation_once'),
        ),
        migrations.AddConstraint(
            model_name='slapolicy',
            constraint=models.UniqueConstraint(fields=('ticket_type', 'priority'), name='sla_policy_one_per_type_and_priority', nulls_distinct=False),
        ),
        migrations.AddConstraint(
            model_name='slapolicy',
            constraint=models.CheckConstraint(condition=models.Q(('warn_at_percent__gte', 1), ('warn_at_percent__lte', 99)), name='sla_policy_warn_1_to_99'),
        ),
    ]
