"""Departments and sites in the back office are searchable selects (autocomplete), not long lists."""

import pytest

from onewindow.catalog import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-12345")
    client.force_login(user)
    return user


def _autocomplete(page: str, name: str) -> bool:
    """Whether the form field `name` is rendered as the admin's autocomplete select."""
    start = page.index(f'name="{name}"')
    tag = page[page.rindex("<select", 0, start):page.index(">", start)]
    return "admin-autocomplete" in tag and "data-ajax--url" in tag


def test_new_item_department_is_searchable(client, root):
    services.create_department(code="SZ-SCJG", name="宿州市市场监督管理局", short_name="市市场监管局")
    services.create_department(code="SZ-GAJ", name="宿州市公安局")
    page = client.get("/admin/catalog/itemversion/add/").content.decode()
    assert _autocomplete(page, "new_department")
    r = client.get("/admin/autocomplete/", {"app_label": "catalog", "model_name": "serviceitem",
                                            "field_name": "department", "term": "公安"})
    assert r.status_code == 200
    assert [x["text"] for x in r.json()["results"]] == ["宿州市公安局"]


def test_user_and_window_department_and_site_are_searchable(client, root):
    page = client.get(f"/admin/accounts/user/{root.pk}/change/").content.decode()
    assert _autocomplete(page, "department") and _autocomplete(page, "site")
    page = client.get("/admin/regions/window/add/").content.decode()
    assert _autocomplete(page, "department") and _autocomplete(page, "hall")
