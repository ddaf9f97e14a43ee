import pytest

from onewindow.catalog.models import ItemVersion, ServiceItem

from .pubdata import make_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return make_catalogue()


def test_search_counts_current_versions_only(api_client, cat):
    body = api_client.get("/api/v1/items").json()
    assert body["count"] == 4  # 4 items, the old version of 食品经营许可 is not counted
    codes = [i["code"] for i in body["items"]]
    assert codes == ["SZ-SCJG-CF-0001", "SZ-SCJG-XK-0001", "SZ-GAJ-GG-0001", "SZ-GAJ-QR-0001"]
    first = body["items"][1]
    assert first == {
        "code": "SZ-SCJG-XK-0001", "name": "食品经营许可", "department": "市市场监督管理局",
        "department_code": "SZ-SCJG", "type": "licensing", "type_label": "行政许可", "statutory_days": 20,
        "committed_days": 5, "online": True, "online_depth": "full",
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("search=食品", {"SZ-SCJG-XK-0001", "SZ-SCJG-CF-0001"}),
        ("search=gaj-qr", {"SZ-GAJ-QR-0001"}),
        ("department=SZ-GAJ", {"SZ-GAJ-GG-0001", "SZ-GAJ-QR-0001"}),
        ("type=penalty", {"SZ-SCJG-CF-0001"}),
        ("type=public_service&department=SZ-GAJ", {"SZ-GAJ-GG-0001"}),
        ("level=town", {"SZ-GAJ-GG-0001"}),
        ("level=county", {"SZ-SCJG-XK-0001", "SZ-GAJ-GG-0001"}),
        ("online=yes", {"SZ-SCJG-XK-0001", "SZ-GAJ-GG-0001"}),
        ("online=window", {"SZ-SCJG-CF-0001", "SZ-GAJ-QR-0001"}),
        ("search=不存在的事项", set()),
    ],
)
def test_search_filters(api_client, cat, query, expected):
    body = api_client.get(f"/api/v1/items?{query}").json()
    assert body["count"] == len(expected)
    assert {i["code"] for i in body["items"]} == expected


def test_pagination(api_client, cat):
    p1 = api_client.get("/api/v1/items?page_size=3").json()
    p2 = api_client.get("/api/v1/items?page_size=3&page=2").json()
    p3 = api_client.get("/api/v1/items?page_size=3&page=3").json()
    assert (p1["count"], p1["pages"], len(p1["items"])) == (4, 2, 3)
    assert (p2["page"], len(p2["items"])) == (2, 1)
    assert p2["items"][0]["code"] == "SZ-GAJ-QR-0001"
    assert p3["items"] == [] and p3["count"] == 4


def test_default_page_size_is_20(api_client, cat):
    dept = cat["gaj"]
    for i in range(25):
        item = ServiceItem.objects.create(code=f"T-{i:03d}", department=dept)
        ItemVersion.objects.create(item=item, version=1, name=f"测试事项{i}", type="public_service",
                                   statutory_days=5, committed_days=1)
    body = api_client.get("/api/v1/items").json()
    assert body["count"] == 29 and len(body["items"]) == 20
    assert len(api_client.get("/api/v1/items?page=2").json()["items"]) == 9


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5"])
def test_bad_page_is_400_naming_page(api_client, cat, page):
    response = api_client.get(f"/api/v1/items?page={page}")
    assert response.status_code == 400
    assert "page" in response.json()["error"]["fields"]


@pytest.mark.parametrize("size", ["0", "101", "x"])
def test_bad_page_size_is_400(api_client, cat, size):
    response = api_client.get(f"/api/v1/items?page_size={size}")
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def test_unknown_type_is_400_naming_type(api_client, cat):
    response = api_client.get("/api/v1/items?type=magic")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid"
    assert "type" in body["error"]["fields"]


@pytest.mark.parametrize("query, field", [("level=galaxy", "level"), ("online=maybe", "online")])
def test_unknown_level_or_online_is_400(api_client, cat, query, field):
    response = api_client.get(f"/api/v1/items?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_detail_fields(api_client, cat):
    response = api_client.get("/api/v1/items/SZ-SCJG-XK-0001")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "SZ-SCJG-XK-0001"
    assert body["name"] == "食品经营许可"
    assert body["department"] == "市市场监督管理局"
    assert body["type"] == "licensing"
    assert (body["statutory_days"], body["committed_days"]) == (20, 5)
    assert body["online"] is True
    assert body["max_visits"] == 0
    assert body["version"] == 2
    assert body["levels"] == ["city", "county"]
    assert body["process_steps"] == ["申请", "受理", "审查", "决定"]
    assert body["legal_basis"].startswith("《中华人民共和国食品安全法》")
    assert body["result"] == "食品经营许可证"
    assert [(m["code"], m["name"], m["required"]) for m in body["materials"]] == [
        ("M01", "食品经营许可申请书", True),
        ("M02", "营业执照复印件", True),
        ("M03", "授权委托书", False),
    ]
    assert body["materials"][1]["licence_type"] == "YYZZ"
    assert body["materials"][1]["copies"] == 2
    assert body["fees"] == []


def test_detail_fees(api_client, cat):
    body = api_client.get("/api/v1/items/SZ-GAJ-QR-0001").json()
    assert body["fees"] == [
        {"name": "印章工本费", "standard": "每枚30元", "basis": "皖价服〔2015〕88号", "enterprise_related": True},
        {"name": "加急服务费", "standard": "每件5元", "basis": "宿价〔2016〕1号", "enterprise_related": False},
    ]
    assert body["online"] is False


def test_unknown_item_is_404_in_contract_shape(api_client, cat):
    response = api_client.get("/api/v1/items/NO-SUCH-ITEM")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert "NO-SUCH-ITEM" in body["error"]["message"]


def test_public_without_token(api_client, cat):
    assert api_client.get("/api/v1/items").status_code == 200
    assert api_client.get("/api/v1/items/SZ-GAJ-GG-0001").status_code == 200


def test_openapi_lists_item_paths(api_client):
    doc = api_client.get("/api/v1/openapi.json").json()
    assert "/api/v1/items" in doc["paths"]
    assert "/api/v1/items/{code}" in doc["paths"]
    params = {p["name"] for p in doc["paths"]["/api/v1/items"]["get"]["parameters"]}
    assert {"search", "department", "type", "page"} <= params


def test_drafts_and_retired_items_are_not_public(api_client, client, cat):
    ItemVersion.objects.filter(item=cat["fine"]).update(status="retired")
    draft = ServiceItem.objects.create(code="SZ-GAJ-XK-0009", department=cat["gaj"])
    ItemVersion.objects.create(item=draft, version=1, status="draft", name="草稿事项", type="licensing",
                               statutory_days=5, committed_days=1)
    body = api_client.get("/api/v1/items").json()
    assert body["count"] == 3
    assert {i["code"] for i in body["items"]} == {"SZ-SCJG-XK-0001", "SZ-GAJ-GG-0001", "SZ-GAJ-QR-0001"}
    assert api_client.get("/api/v1/items/SZ-SCJG-CF-0001").status_code == 404
    assert api_client.get("/api/v1/items/SZ-GAJ-XK-0009").status_code == 404
    assert client.get("/").context["figures"]["items"] == 3
