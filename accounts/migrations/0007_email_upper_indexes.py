"""Indexes for looking addresses up in any case (`email__iexact`), on Beacon's users and
on allauth's email addresses (allauth's own model, so its index is plain SQL here)."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_notifications_moved_out"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                django.db.models.functions.text.Upper("email"), name="user_email_upper"
            ),
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS account_emailaddress_email_upper "
            "ON account_emailaddress (UPPER(email))",
            "DROP INDEX IF EXISTS account_emailaddress_email_upper",
        ),
    ]
