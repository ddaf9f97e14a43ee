"""Periodic hall work, run by `onewindow worker`: no-shows marked, reminders sent."""

from django_tasks import task

from . import appointments


@task()
def appointments_task():
    return {"no_shows": appointments.mark_no_shows(), "reminders": appointments.send_reminders()}
