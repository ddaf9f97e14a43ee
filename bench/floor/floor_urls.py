"""The intake endpoints with the work taken out: what gunicorn + Django + django-ninja cost alone.

`POST /api/v1/cases` validates the real filing schema (cases.api.FileIn) and answers a fixed
number; `POST /api/v1/cases/{n}/actions/{action}` answers a fixed state. With FLOOR_AUTH=1 both
also run the real bearer-token authentication (one indexed query each), as the real API does.
No other database access. bench/intake.py drives them with the same client as the real run, so
the difference between the two runs is the cost of the work itself.
"""

import os

from django.urls import path
from ninja import Body, NinjaAPI

from onewindow.api.auth import bearer
from onewindow.cases.api import FileIn

AUTH = [bearer] if os.environ.get("FLOOR_AUTH") == "1" else None
api = NinjaAPI(urls_namespace="floor", docs_url=None)


@api.post("/cases", response={201: dict}, auth=AUTH)
def file_case(request, payload: FileIn):
    return 201, {"number": "34130020261126000001", "state": "submitted", "query_code": "ABCDEF"}


@api.post("/cases/{number}/actions/{action}", response=dict, auth=AUTH)
def act(request, number: str, action: str, payload: Body[dict | None] = None):
    return {"number": number, "state": "accepted"}


urlpatterns = [path("api/v1/", api.urls)]
