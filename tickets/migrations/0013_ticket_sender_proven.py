from django.db import migrations, models

UNVERIFIED_SENDER_TAG = "unverified-sender"


def hide_unproven(apps, schema_editor):
    """Tickets already flagged as filed by an unverified sender stop being listed as the
    account's own (portable: SQLite cannot search inside JSON lists)."""
    Ticket = apps.get_model("tickets", "Ticket")
    ids = [
        pk
        for pk, tags in Ticket.objects.exclude(tags=[]).values_list("id", "tags").iterator()
        if UNVERIFIED_SENDER_TAG in (tags or [])
    ]
    for start in range(0, len(ids), 1000):
        Ticket.objects.filter(id__in=ids[start : start + 1000]).update(sender_proven=False)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0012_inbound_email_masked"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="sender_proven",
            field=models.BooleanField(default=True),
        ),
        migrations.AlterField(
            model_name='ticketevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('replied', 'Replied'), ('note', 'Internal note'), ('status', 'Status changed'), ('priority', 'Priority changed'), ('assigned', 'Assigned'), ('rated', 'Rated'), ('complained', 'Complaint filed'), ('outcome', 'Complaint outcome'), ('tagged', 'Tags changed'), ('merged', 'Merged'), ('followed', 'Follower added'), ('unfollowed', 'Follower removed'), ('split_to', 'Split into a new ticket'), ('split_from', 'Split from a ticket'), ('team', 'Team changed'), ('sla_warning', 'SLA at risk'), ('sla_breach', 'SLA breached'), ('sender', 'Sender answered')], max_length=12),
        ),
        migrations.RunPython(hide_unproven, migrations.RunPython.noop),
    ]
