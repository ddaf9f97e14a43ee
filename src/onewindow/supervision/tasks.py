"""Background tasks (django-tasks, database backend)."""

import datetime

from django_tasks import task

from .services import sweep


@task()
def sweep_task(today: str | None = None) -> dict:
    """Run the supervision sweep; `today` is an ISO date (defaults to the local date)."""
    result = sweep(datetime.date.fromisoformat(today) if today else None)
    return {"opened": result["opened"], "closed": result["closed"]}
