"""Background tasks (django-tasks, database backend)."""

from django_tasks import task


@task()
def sweep_task(today: str | None = None) -> dict:
    """Run the supervision sweep; `today` is an ISO date (defaults to the local date)."""
    import datetime

    from .services import sweep

    result = sweep(datetime.date.fromisoformat(today) if today else None)
    return {"opened": result["opened"], "closed": result["closed"]}
