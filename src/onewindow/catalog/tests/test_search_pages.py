"""The search on the public pages and the API: ranked results, the 个人/法人 switch, theme chips."""

import pytest

from onewindow.catalog import vocabulary

from .pubdata import make_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    data = make_catalogue()
    vocabulary.save_theme(code="start", name="开办", audience="org", keywords="印章刻制 设立登记", order=1)
    vocabulary.save_theme(code="identity", name="户籍证件", audience="person", keywords="户籍 身份证", order=2)
    vocabulary.save_synonym(term="刻章", expansions="印章刻制")
    return data


def test_api_search_keeps_the_contract_shape_and_ranks(api_client, cat):
    body = api_client.get("/api/v1/items?search=我想刻章").json()
    assert body["count"] == 1 and set(body) >= {"count", "items"}
    assert body["items"][0]["code"] == "SZ-GAJ-QR-0001" and body["items"][0]["name"] == "印章刻制备案"
    # the licence an item issues: the food licence's material is a 营业执照, which finds nothing
    assert api_client.get("/api/v1/items?search=营业执照").json()["count"] == 0
    assert api_client.get("/api/v1/items?search=食品经营许可证").json()["items"][0]["code"] == "SZ-SCJG-XK-0001"


def test_api_subject_and_theme_filters(api_client, cat):
    org = {i["code"] for i in api_client.get("/api/v1/items?subject=org").json()["items"]}
    assert org == {"SZ-SCJG-XK-0001", "SZ-GAJ-QR-0001", "SZ-SCJG-CF-0001"}  # subject org or both
    person = {i["code"] for i in api_client.get("/api/v1/items?subject=person").json()["items"]}
    assert person == {"SZ-GAJ-GG-0001", "SZ-SCJG-CF-0001"}
    assert [i["code"] for i in api_client.get("/api/v1/items?theme=start").json()["items"]] == ["SZ-GAJ-QR-0001"]
    bad = api_client.get("/api/v1/items?subject=alien")
    assert bad.status_code == 400 and "subject" in bad.json()["error"]["fields"]
    bad = api_client.get("/api/v1/items?theme=nope")
    assert bad.status_code == 400 and "theme" in bad.json()["error"]["fields"]
    themes = api_client.get("/api/v1/items/themes?audience=org").json()
    assert themes == [{"code": "start", "name": "开办", "audience": "org"}]
    assert api_client.get("/api/v1/items/themes?audience=x").status_code == 400


def test_items_page_has_the_switch_and_the_chips(client, cat):
    page = client.get("/items/?subject=org").content.decode()
    assert 'href="/items/?subject=org&amp;theme=start"' in page and "户籍证件" not in page
    page = client.get("/items/?subject=person&q=户籍").content.decode()
    assert "户籍证明开具" in page and "户籍证件" in page and "开办" not in page.split("theme-chips")[1][:300]
    assert client.get("/items/?subject=alien").status_code == 400


def test_home_page_shows_the_themes_of_both_halves(client, cat):
    page = client.get("/").content.decode()
    assert "/items/?subject=org&amp;theme=start" in page and "/items/?subject=person&amp;theme=identity" in page
