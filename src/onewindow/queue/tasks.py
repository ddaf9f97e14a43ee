"""Periodic hall work, run by `onewindow worker`: no-shows marked, reminders sent, hall rules swept."""

from django_tasks import task

from . import appointments, rules


@task()
def appointments_task():
    return {"no_shows": appointments.mark_no_shows(), "reminders": appointments.send_reminders(),
            "rules": rules.sweep()}
