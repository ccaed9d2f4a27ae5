# The region a channel serves, in Chinese too: the contact page shows it beside the label.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("helpcenter", "0002_search_vector_gin"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactchannel",
            name="region_zh_hans",
            field=models.CharField(blank=True, max_length=60, verbose_name="region (Chinese)"),
        ),
    ]
