"""Absolute links point where the platform is (core.links): ONEWINDOW_PUBLIC_URL when set, else the
request that triggered the work, carried to the worker with the task; the fallback only without both."""

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from onewindow.accounts.services import issue_token
from onewindow.cases import documents, services
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.core import links
from onewindow.portal.models import Outbox

pytestmark = pytest.mark.django_db
HOST = "10.1.2.3:8123"


@pytest.fixture
def world(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "10.1.2.3", "zwfw.example.gov.cn"]
    w = make_world()
    with at(2026, 9, 29, 9):
        w.case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                    materials=["M01", "M02", "M03"], actor=w.clerk)
    return w


def _client(user, host=HOST, secure=False):
    client = Client(headers={"Authorization": f"Bearer {issue_token(user)}"}, HTTP_HOST=host)
    client.secure_requests = secure
    return client


def _slip(client, case, monkeypatch):
    """The slip PDF's text (spaces removed) and the text its QR code encodes."""
    encoded = []
    real = documents.qr_data_uri
    monkeypatch.setattr(documents, "qr_data_uri", lambda text: encoded.append(text) or real(text))
    resp = client.get(f"/api/v1/cases/{case.number}/slip.pdf", secure=client.secure_requests)
    assert resp.status_code == 200
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(resp.content)).pages)
    return re.sub(r"\s+", "", text), encoded


def _accept(w, client=None):
    with at(2026, 9, 29, 10):
        if client is None:
            services.perform(w.case.number, "accept", w.clerk)
        else:
            r = client.post(f"/api/v1/cases/{w.case.number}/actions/accept", {}, content_type="application/json")
            assert r.status_code == 200, r.content


def test_slip_qr_and_link_follow_the_request_host(world, monkeypatch):
    _accept(world)
    case = world.case
    want = f"http://{HOST}/track/?number={case.number}&code={case.query_code}"
    text, encoded = _slip(_client(world.clerk), case, monkeypatch)
    assert encoded == [want] and want in text
    # https behind the same name
    text, encoded = _slip(_client(world.clerk, host="zwfw.example.gov.cn", secure=True), case, monkeypatch)
    assert encoded == [f"https://zwfw.example.gov.cn/track/?number={case.number}&code={case.query_code}"]


def test_the_setting_wins_over_the_request(world, monkeypatch, settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn/"
    _accept(world)
    text, encoded = _slip(_client(world.clerk), world.case, monkeypatch)
    want = f"https://zwfw.example.gov.cn/track/?number={world.case.number}&code={world.case.query_code}"
    assert encoded == [want] and want in text


def test_sms_sent_by_the_worker_links_to_the_requests_host(world, settings):
    """The accept request queues the announcement; the worker, with no request, sends the SMS with
    the base URL the task carried."""
    from django_tasks_db.models import DBTaskResult

    from onewindow.core.worker import run_ready_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _accept(world, _client(world.clerk))
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"][-1] == f"http://{HOST}"
    assert links.current_base() == ""  # outside any request
    assert run_ready_tasks() == 1
    sms = Outbox.objects.get(channel="sms", kind="case.accept")
    assert sms.body.endswith(f"查询进度：http://{HOST}/track/?number={world.case.number}&code={world.case.query_code}")


def test_sms_in_process_uses_the_setting_then_the_fallback(world, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _accept(world)  # from a shell: no request
    sms = Outbox.objects.get(channel="sms", kind="case.accept")
    assert f"查询进度：http://127.0.0.1:8000/track/?number={world.case.number}&" in sms.body
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"
    with django_capture_on_commit_callbacks(execute=True), at(2026, 9, 30, 10):
        services.perform(world.case.number, "review", world.reviewer, {"opinion": "同意"})
        services.perform(world.case.number, "decide", world.approver, {"result": "approve"})
    sms = Outbox.objects.get(channel="sms", kind="case.decide")
    assert "查询进度：https://zwfw.example.gov.cn/track/?number=" in sms.body


def test_a_disallowed_host_never_becomes_a_link(settings):
    r = Client(HTTP_HOST="evil.example.com").get("/items/")
    assert r.status_code == 400
    assert links.public_url() == links.FALLBACK
