"""`onewindow worker [--once] [--interval N]`: background rounds and queued tasks.

A round enqueues every periodic task the apps declare (an AppConfig's `worker_rounds`, a mapping of
label to task path; today the supervision sweep) and runs what is queued; between rounds the worker
runs queued tasks (notifications, live alerts). Short jobs an app declares in `worker_every` (label to
(function path, seconds); today the audit sealer every 2 s) run in the worker's own loop, not as tasks.
"""

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from onewindow.core.worker import run_ready_tasks


class Command(BaseCommand):
    help = "Run background work: enqueue the periodic tasks (the supervision sweep) and run queued tasks."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one round and exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between sweeps (default 60)")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between queue polls (default 1)")

    def handle(self, *args, once=False, interval=60, poll=1.0, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second")
        if once:
            self.round()
            return
        next_sweep = 0.0
        every = self.every_jobs()
        try:
            while True:
                self.run_every(every)
                try:
                    if time.monotonic() >= next_sweep:
                        self.round()
                        next_sweep = time.monotonic() + interval
                    else:
                        run_ready_tasks()  # notifications and live alerts between sweeps
                except CommandError as exc:  # keep the loop alive; the failure is recorded on the task
                    self.stderr.write(str(exc))
                except DatabaseError as exc:  # a dropped connection or a locked SQLite file: retry next round
                    self.stderr.write(f"database error, retrying: {exc}")
                close_old_connections()  # a long-running process: reconnect after errors or CONN_MAX_AGE
                time.sleep(poll)
        except KeyboardInterrupt:
            self.stdout.write("worker stopped")

    def every_jobs(self) -> list[list]:
        """[label, function, seconds, next due] of every app's `worker_every`."""
        return [[label, import_string(path), float(seconds), 0.0]
                for config in apps.get_app_configs()
                for label, (path, seconds) in getattr(config, "worker_every", {}).items()]

    def run_every(self, jobs: list[list]) -> None:
        for job in jobs:
            label, func, seconds, due = job
            if time.monotonic() < due:
                continue
            job[3] = time.monotonic() + seconds
            try:
                func()
            except Exception as exc:  # noqa: BLE001 - a job's failure (a refused seal) must not stop the worker
                self.stderr.write(f"{label} failed: {exc}")  # the loop's close_old_connections follows

    def round(self):
        rounds = [
            (label, import_string(path))
            for config in apps.get_app_configs()
            for label, path in getattr(config, "worker_rounds", {}).items()
        ]
        results = [(label, task.enqueue()) for label, task in rounds]
        ran = run_ready_tasks()
        for label, result in results:
            row = DBTaskResult.objects.get(pk=result.id)
            status = row.status
            value = row.return_value if status == TaskResultStatus.SUCCESSFUL else None
            if value is None:
                raise CommandError(f"{label} task {result.id} did not succeed: {status} {row.exception_class_path}")
            figures = ", ".join(f"{key} {number}" for key, number in value.items())
            self.stdout.write(f"{label}: {figures} (tasks run: {ran})")
