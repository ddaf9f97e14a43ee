"""Public pages from the shared cache (here Django's database cache): served to visitors without a
session in one cache read, per language, rendered anew after a catalogue change."""

import pytest

from onewindow.accounts.models import Role, User
from onewindow.catalog import services
from onewindow.catalog.tests.test_versioning import make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.ONEWINDOW_PAGE_CACHE_SECONDS = 60


@pytest.fixture
def item():
    d = services.create_department(code="SZ-SCJG", name="宿州市市场监督管理局", short_name="市市场监管局")
    services.upsert_licence_type(code="YYZZ", name="营业执照", department="SZ-SCJG")
    return make(d)


def test_a_second_visit_is_one_cache_read(client, item, django_assert_num_queries):
    first = client.get(f"/items/{item.item.code}/")
    assert first.status_code == 200 and "食品经营许可" in first.content.decode()
    assert first["Cache-Control"] == "public, max-age=60"
    with django_assert_num_queries(1):  # generation and page read together from the cache table
        second = client.get(f"/items/{item.item.code}/")
    assert second.status_code == 200 and second.content == first.content


def test_publishing_a_change_renders_the_page_anew(client, item):
    assert "食品经营许可" in client.get(f"/items/{item.item.code}/").content.decode()
    services.update_item(item.item, name="食品经营许可（含备案）")
    page = client.get(f"/items/{item.item.code}/").content.decode()
    assert "食品经营许可（含备案）" in page
    listing = client.get("/items/?q=食品").content.decode()
    services.update_item(item.item, name="食品经营许可证核发")
    assert "食品经营许可证核发" in client.get("/items/?q=食品").content.decode()
    assert listing != client.get("/items/?q=食品").content.decode()


def test_each_language_has_its_own_copy(client, item):
    zh = client.get("/items/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get("/items/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert zh != en
    assert client.get("/items/", HTTP_ACCEPT_LANGUAGE="en").content.decode() == en


def test_a_signed_in_person_gets_their_own_page(client, item, django_assert_max_num_queries):
    client.get("/items/")  # cached for visitors
    User.objects.create_user("citizen", password="pw-123456", role=Role.APPLICANT, display_name="张三")
    client.login(username="citizen", password="pw-123456")
    page = client.get("/items/")
    assert "张三" in page.content.decode() or "citizen" in page.content.decode()
    assert "public" not in page.get("Cache-Control", "")


def test_a_failed_page_is_not_kept(client, item):
    assert client.get("/items/NO-SUCH-ITEM/").status_code == 404
    services.create_item(code="NO-SUCH-ITEM", department=item.item.department, name="新事项", type="licensing",
                         subject="org", levels=["city"], legal_basis="某法", statutory_days=20, committed_days=5,
                         process_steps=["受理"], online_depth="full", max_visits=0, materials=[], fees=[])
    assert client.get("/items/NO-SUCH-ITEM/").status_code == 200
