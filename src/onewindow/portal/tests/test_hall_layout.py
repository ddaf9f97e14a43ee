"""The hall for a person on a phone: 我的办件 first, online items ten to a page, 在线申请 on each;
the guide links straight to the application form."""

import re

import pytest
from django.core.management import call_command

from onewindow.accounts.models import User
from onewindow.catalog.models import ItemVersion, OnlineDepth

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = User.objects.get(username="citizen1")
    client.force_login(user)
    return user


def _online():
    return (ItemVersion.objects.filter(is_current=True, status="published",
                                       online_depth__in=[OnlineDepth.FULL, OnlineDepth.PREREVIEW])
            .order_by("item__code"))


def test_my_cases_come_first_and_items_are_paginated(client, citizen):
    page = client.get("/hall/").content.decode()
    assert page.index("我的办件") < page.index("我要办") < page.index("我的证照")
    codes = re.findall(r'href="/hall/apply/([^/]+)/"', page)
    expected = list(_online().values_list("item__code", flat=True))
    assert len(expected) > 10  # the demo catalogue has more than one page of online items
    assert codes == expected[:10]
    assert f"共 {len(expected)} 个可在线办理的事项" in page
    second = client.get("/hall/?page=2").content.decode()
    assert re.findall(r'href="/hall/apply/([^/]+)/"', second) == expected[10:20]
    # a page number that is not one is the first page, not an error
    assert re.findall(r'href="/hall/apply/([^/]+)/"', client.get("/hall/?page=x").content.decode()) == expected[:10]


def test_guide_links_straight_to_the_application(client, citizen):
    code = _online().first().item.code
    page = client.get(f"/items/{code}/").content.decode()
    assert f'href="/hall/apply/{code}/"' in page and "在线申请" in page
    assert client.get(f"/hall/apply/{code}/").status_code == 200
    window_only = ItemVersion.objects.filter(is_current=True, online_depth=OnlineDepth.WINDOW).first()
    assert "/hall/apply/" not in client.get(f"/items/{window_only.item.code}/").content.decode()
