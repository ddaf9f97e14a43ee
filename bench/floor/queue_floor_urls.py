"""The hall's issuance endpoint with the work taken out (bench/queue.py's hello-world row): the same
stack (gunicorn, Django middleware, django-ninja) validating the real TicketIn schema and answering a
fixed ticket, with no database access."""

from django.urls import path
from ninja import NinjaAPI

from onewindow.queue.api import TicketIn

api = NinjaAPI(urls_namespace="queue-floor", docs_url=None)


@api.post("/queue/tickets", response={201: dict})
def take_ticket(request, payload: TicketIn):
    return 201, {"id": 1, "number": "A001", "queue": payload.queue, "state": "waiting", "waiting_before": 0}


@api.get("/workdays/")
def ready(request):
    return {"ok": True}


urlpatterns = [path("api/v1/", api.urls)]
