"""Ticket types the security desk opens for reviews; customers cannot choose them."""

from django.db import migrations, models

REVIEW_TYPES = [
    ("kyc-review", "KYC review", "身份认证审核"),
    ("unfreeze-appeal", "Unfreeze appeal", "解冻申诉"),
    ("2fa-reset", "Two-factor reset", "双重验证重置"),
]


def create(apps, schema_editor):
    TicketType = apps.get_model("tickets", "TicketType")
    for position, (slug, name_en, name_zh) in enumerate(REVIEW_TYPES):
        TicketType.objects.get_or_create(
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_zh_hans": name_zh,
                "kind": "review",
                "fields": [],
                "position": 200 + position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_sla")]

    operations = [
        migrations.AlterField(
            model_name="tickettype",
            name="kind",
            field=models.CharField(
                choices=[
                    ("request", "Request"),
                    ("complaint", "Complaint"),
                    ("review", "Security review"),
                ],
                default="request",
                max_length=10,
            ),
        ),
        migrations.RunPython(create, migrations.RunPython.noop),
    ]
