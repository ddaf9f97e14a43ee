"""The hall's endpoints with the work taken out (bench/queue.py's no-op twin): the same stack
(gunicorn, Django middleware, django-ninja) validating the real TicketIn and ActionIn schemas and
answering a fixed ticket, with no database access (no token lookup either: any bearer is accepted)."""

from django.urls import path
from ninja import Body, NinjaAPI
from ninja.security import HttpBearer

from onewindow.queue.api import ActionIn, TicketIn

api = NinjaAPI(urls_namespace="queue-floor", docs_url=None)
FIXED = {"id": 1, "number": "A001", "queue": "q0", "state": "waiting", "priority": "", "waiting_before": 0,
         "window": None, "case": None, "transferred_to": None}


class AnyBearer(HttpBearer):
    def authenticate(self, request, token):
        return token or None


@api.post("/queue/tickets", response={201: dict})
def take_ticket(request, payload: TicketIn):
    return 201, {**FIXED, "queue": payload.queue}


@api.post("/queue/windows/{window}/call-next", auth=AnyBearer(), response={200: dict})
def call_next(request, window: str):
    return {**FIXED, "state": "called", "window": window}


@api.post("/queue/tickets/{ticket_id}/actions/{action}", auth=AnyBearer(), response={200: dict})
def act(request, ticket_id: str, action: str, payload: Body[ActionIn | None] = None):
    return {**FIXED, "state": "serving" if action == "start" else "done"}


@api.get("/workdays/")
def ready(request):
    return {"ok": True}


urlpatterns = [path("api/v1/", api.urls)]
