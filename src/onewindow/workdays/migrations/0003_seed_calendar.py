"""Seed the working-day calendar, so every fresh database (test databases included) has it."""

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    from onewindow.workdays import schedule

    conf = settings.ONEWINDOW
    schedule.seed(
        apps.get_model("workdays", "CalendarYear"),
        apps.get_model("workdays", "CalendarDay"),
        conf["CALENDAR_FIRST_YEAR"],
        conf["CALENDAR_LAST_YEAR"],
    )


def unseed(apps, schema_editor):
    apps.get_model("workdays", "CalendarDay").objects.all().delete()
    apps.get_model("workdays", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("workdays", "0002_day_kind_constraint"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
