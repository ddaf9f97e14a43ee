import pytest

from onewindow.regions import demo, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    demo.load()


def _listed(response):
    return {s.name for g in response.context["levels"] for s in g.sites}


def test_page_renders_all_levels(client, network):
    r = client.get("/network/")
    assert r.status_code == 200
    html = r.content.decode()
    for text in [
        "宿州市政务服务中心",
        "埇桥区政务服务中心",
        "汴河街道便民服务中心",
        "符离镇第一村代办点",
        "08:30",
        "14:30",
    ]:
        assert text in html
    counts = r.context["counts"]
    assert counts == {"city": 5, "county": 7, "town": 122, "village": 122}


def test_page_renders_on_empty_database(client):
    r = client.get("/network/")
    assert r.status_code == 200
    assert "没有符合条件的服务场所" in r.content.decode()


def test_search_by_town_name(client, network):
    r = client.get("/network/", {"q": "汴河街道"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "汴河街道便民服务中心" in html
    assert "汴河街道第一社区代办点" in html
    assert "沱河街道便民服务中心" not in html
    assert "宿州市政务服务中心人社分中心" not in html
    assert _listed(r) == {"汴河街道便民服务中心", "汴河街道第一社区代办点"}
    assert r.context["matched"] == 2


def test_search_by_county_code_covers_its_towns(client, network):
    r = client.get("/network/", {"q": "341321"})
    html = r.content.decode()
    assert "砀山县政务服务中心" in html
    assert "砀城镇便民服务中心" in html
    assert "汴河街道便民服务中心" not in html
    # 1 county centre + 16 town centres + 16 agency points
    assert r.context["matched"] == 33


def test_search_without_match_and_hostile_input(client, network):
    r = client.get("/network/", {"q": "不存在的地方"})
    assert r.status_code == 200 and r.context["matched"] == 0
    r = client.get("/network/", {"q": "<script>alert(1)</script>"})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.content.decode()
    r = client.get("/network/", {"q": "汴" * 500})
    assert r.status_code == 200


def test_per_level_bound(network):
    data = selectors.network("", per_level=10)
    town = next(g for g in data["levels"] if g.level == "town")
    assert town.total == 122 and len(town.sites) == 10 and town.truncated


def test_region_prefix():
    assert selectors.region_prefix("340000") == "34"
    assert selectors.region_prefix("341300") == "3413"
    assert selectors.region_prefix("341302") == "341302"
    assert selectors.region_prefix("341302009") == "341302009"


def test_centre_lookups(network):
    assert selectors.city_centre().code == "SZ-CENTRE"
    assert selectors.county_centre("341302009").code == "ZW-341302"
    assert selectors.sites_under("341321").count() == 33
