"""Runs queued django-tasks in this process, using django_tasks_db's own task runner."""

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def run_ready_tasks(backend_name: str = "default", limit: int = 100) -> int:
    """Claim and run the tasks that are ready now, one at a time; returns how many ran."""
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name=backend_name, startup_delay=False,
        max_tasks=None, worker_id=get_random_string(32), excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        tasks = DBTaskResult.objects.ready().filter(backend_name=backend_name)
        with exclusive_transaction(tasks.db):
            result = tasks.get_locked()
            if result is not None:
                result.claim(worker.worker_id)
        if result is None:
            break
        worker.run_task(result)
        ran += 1
    return ran
