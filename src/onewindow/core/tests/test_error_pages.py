"""The site's own 403, 404 and 500 pages (Chinese and English, in the layout), the favicon."""

import pytest
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation

from onewindow.accounts.models import Role, User
from onewindow.core import views


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]
handler500 = "onewindow.core.views.server_error"


@pytest.mark.django_db
def test_404_in_the_site_layout_in_both_languages(client):
    r = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    page = r.content.decode()
    assert r.status_code == 404
    assert "页面不存在" in page and 'class="top"' in page and "/items/" in page
    assert "Not Found" not in page
    r = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 404 and "Page not found" in page and "页面不存在" not in page


@pytest.mark.django_db
def test_404_under_the_api_keeps_the_json_error_shape(client):
    r = client.get("/api/v1/no-such-endpoint")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": "未找到", "fields": {}}}


@pytest.mark.django_db
def test_403_says_why_in_the_layout(client):
    User.objects.create_user("clerk-x", password="pw-12345678", role=Role.CLERK)
    client.login(username="clerk-x", password="pw-12345678")
    r = client.get("/hall/", HTTP_ACCEPT_LANGUAGE="zh-CN")  # the hall is for applicants only
    page = r.content.decode()
    assert r.status_code == 403
    assert "无权访问" in page and "网上办事大厅仅供申请人使用" in page and "clerk-x" in page
    assert "403 Forbidden" not in page and 'class="top"' in page
    r = client.get("/hall/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 403 and "Access denied" in r.content.decode()


def test_500_page_needs_no_database():
    """No django_db mark: any query made while rendering it would fail this test."""
    with translation.override("zh-hans"):
        response = views.server_error(_request("/items/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in page and 'class="top"' in page and "/favicon.ico" in page


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_an_exception_shows_the_500_page():
    client = Client(raise_request_exception=False)
    r = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 500
    assert "Server error" in r.content.decode()


def _request(path):
    from django.test import RequestFactory

    return RequestFactory().get(path)


@pytest.mark.django_db
def test_favicon_is_served_and_linked(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/x-icon"
    assert b"".join(r.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO header
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page
