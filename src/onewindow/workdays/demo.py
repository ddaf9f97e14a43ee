"""Demo data: the working-day calendar (normally already seeded by migration 0003)."""

from django.conf import settings

from . import services


def load(stdout=None):
    conf = settings.ONEWINDOW
    inserted = services.seed_calendar(conf["CALENDAR_FIRST_YEAR"], conf["CALENDAR_LAST_YEAR"])
    if stdout is not None:
        if inserted:
            stdout.write(f"工作日历：新增 {inserted} 天\n")
        else:
            stdout.write("工作日历：已就绪\n")
