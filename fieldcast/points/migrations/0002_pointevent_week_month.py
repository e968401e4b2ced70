"""Each ledger event records the week and month it counts in (fixed at write time)."""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone


def fill_periods(apps, schema_editor):
    PointEvent = apps.get_model("points", "PointEvent")
    for event in PointEvent.objects.filter(week__isnull=True).iterator():
        day = timezone.localtime(event.created_at).date()
        PointEvent.objects.filter(pk=event.pk).update(
            week=day - timedelta(days=day.weekday()), month=day.replace(day=1)
        )


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="pointevent", name="week", field=models.DateField(null=True)
        ),
        migrations.AddField(
            model_name="pointevent", name="month", field=models.DateField(null=True)
        ),
        migrations.RunPython(fill_periods, migrations.RunPython.noop),
        migrations.AlterField(model_name="pointevent", name="week", field=models.DateField()),
        migrations.AlterField(model_name="pointevent", name="month", field=models.DateField()),
    ]
