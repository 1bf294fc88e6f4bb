import agencies.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0002_region_capacity_timeout"),
    ]

    operations = [
        migrations.AddField(
            model_name="region",
            name="time_zone",
            field=models.CharField(
                default=agencies.models.default_time_zone,
                help_text="IANA time zone (e.g. America/Chicago): every time shown for this region's incidents, on boards, in messages and on the record, is in it.",
                max_length=64,
                validators=[agencies.models.validate_time_zone],
            ),
        ),
    ]
