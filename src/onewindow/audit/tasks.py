"""Background tasks of the audit log (django-tasks)."""

from django_tasks import task


@task()
def checkpoint_task() -> dict:
    """Write a checkpoint of the chain's head outside the database (a worker round)."""
    from .checkpoints import write

    point = write()
    return {"checkpoint_seq": point["seq"] if point else 0}
