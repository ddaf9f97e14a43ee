from django.apps import AppConfig


class QueueConfig(AppConfig):
    """The hall: queues, tickets, calling, display boards, appointments, window status."""

    name = "onewindow.queue"
    label = "queue"
    verbose_name = "排队叫号"
    worker_rounds = {"appointments": "onewindow.queue.tasks.appointments_task"}
