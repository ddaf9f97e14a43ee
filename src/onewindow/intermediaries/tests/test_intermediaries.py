"""The 中介服务清单: public API and page with Excel, the guide naming the services, a case recording the
provider and the applicant's rating."""

import io

import pytest
from openpyxl import load_workbook

from onewindow.cases.tests.factories import at
from onewindow.cases.tests.test_api import Api, _assert_error, _filing
from onewindow.intermediaries.models import Engagement, IntermediaryService, Provider


def _world():
    from onewindow.cases.tests.factories import make_world

    w = make_world()
    w.svc = IntermediaryService.objects.create(code="ZJ-FLJC", name="防雷装置检测", legal_basis="《防雷减灾管理办法》第十九条",
                                               free_choice=True, fee_basis="市场调节价", time_limit="10个工作日")
    w.svc.items.add(w.item.item)
    other = IntermediaryService.objects.create(code="ZJ-HPBG", name="环境影响报告书编制", legal_basis="《环境影响评价法》",
                                               order=2)
    w.prov = Provider.objects.create(name="宿州市防雷技术服务有限公司", qualification="防雷装置检测资质乙级",
                                     region=w.county, contact="0557-3011004")
    w.prov.services.add(w.svc)
    w.other_prov = Provider.objects.create(name="环评公司", qualification="备案", region=w.city, contact="1")
    w.other_prov.services.add(other)
    return w


@pytest.mark.django_db
def test_public_api_list_and_item_guide(client):
    _world()
    r = client.get("/api/v1/intermediaries")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2 and [s["code"] for s in body["intermediaries"]] == ["ZJ-FLJC", "ZJ-HPBG"]
    first = body["intermediaries"][0]
    assert first["items"] == [{"code": "SCJG-XK-0001", "department": "市市场监督管理局"}]
    assert first["providers"][0]["name"] == "宿州市防雷技术服务有限公司" and first["providers"][0]["region_name"] == "埇桥区"
    assert client.get("/api/v1/intermediaries", {"item": "SCJG-XK-0001"}).json()["count"] == 1
    paged = client.get("/api/v1/intermediaries", {"page_size": "1", "page": "2"}).json()
    assert paged["pages"] == 2 and [s["code"] for s in paged["intermediaries"]] == ["ZJ-HPBG"]
    assert client.get("/api/v1/intermediaries", {"page": "0"}).status_code == 400
    guide = client.get("/api/v1/items/SCJG-XK-0001").json()
    assert guide["intermediaries"] == [{"code": "ZJ-FLJC", "name": "防雷装置检测", "free_choice": True, "time_limit": "10个工作日"}]
    assert client.get("/api/v1/items/SCJG-QR-0002").json()["intermediaries"] == []
    page = client.get("/items/SCJG-XK-0001/").content.decode()
    assert "防雷装置检测" in page


@pytest.mark.django_db
def test_public_page_and_excel(client):
    _world()
    page = client.get("/lists/intermediaries/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "防雷装置检测" in html and "宿州市防雷技术服务有限公司" in html and "/lists/intermediaries.xlsx" in html
    assert "/lists/intermediaries/" in client.get("/lists/").content.decode()
    x = client.get("/lists/intermediaries.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][2] == "中介服务名称" and len(rows) == 3
    assert rows[1][1:4] == ("ZJ-FLJC", "防雷装置检测", "SCJG-XK-0001") and "宿州市防雷技术服务有限公司" in rows[1][8]


@pytest.mark.django_db
def test_case_records_provider_and_applicant_rates_it():
    w = _world()
    citizen = Api(w.citizen)
    with at(2026, 3, 2, 9):
        n = citizen.post("", _filing(channel="online")).json()["number"]
        err = _assert_error(citizen.post(f"/{n}/intermediaries", {"service": "ZJ-HPBG", "provider": w.other_prov.pk}), 400)
        assert set(err["fields"]) == {"service"}
        err = _assert_error(citizen.post(f"/{n}/intermediaries", {"service": "ZJ-FLJC", "provider": w.other_prov.pk}), 400)
        assert set(err["fields"]) == {"provider"}
        err = _assert_error(citizen.post(f"/{n}/intermediaries", {"service": "ZJ-FLJC", "provider": w.prov.pk,
                                                                   "report_date": "2026-03-09"}), 400)
        assert set(err["fields"]) == {"report_date"}
        assert not Engagement.objects.exists()
        r = citizen.post(f"/{n}/intermediaries", {"service": "ZJ-FLJC", "provider": w.prov.pk, "report_date": "2026-02-27"})
    assert r.status_code == 200, r.content
    assert r.json()["provider_name"] == "宿州市防雷技术服务有限公司" and r.json()["report_date"] == "2026-02-27"
    # Someone else's case is out of reach; the clerk cannot rate.
    _assert_error(Api(w.citizen2).post(f"/{n}/intermediaries/ZJ-FLJC/rating", {"level": 1}), 404)
    _assert_error(Api(w.clerk).post(f"/{n}/intermediaries/ZJ-FLJC/rating", {"level": 5}), 403)
    _assert_error(citizen.post(f"/{n}/intermediaries/ZJ-FLJC/rating", {"level": 6}), 400)
    rated = citizen.post(f"/{n}/intermediaries/ZJ-FLJC/rating", {"level": 4, "comment": "及时"})
    assert rated.status_code == 200 and rated.json()["rating"] == 4
    e = Engagement.objects.get()
    assert (e.rating, e.rating_comment, e.provider_id) == (4, "及时", w.prov.pk)


@pytest.mark.django_db
def test_demo_has_at_least_ten_real_services_on_items_that_need_them():
    from onewindow.catalog import demo as catalog_demo
    from onewindow.intermediaries import demo
    from onewindow.regions import demo as regions_demo

    regions_demo.load()
    catalog_demo.load()
    demo.load()
    demo.load()  # idempotent
    names = set(IntermediaryService.objects.values_list("name", flat=True))
    assert IntermediaryService.objects.count() >= 10
    for word in ("环境影响", "节能", "水土保持", "防雷", "消防", "测绘", "房地产估价", "工程造价"):
        assert any(word in n for n in names), word
    assert not IntermediaryService.objects.filter(items=None).exists()
    assert not IntermediaryService.objects.filter(providers=None).exists()
    # The demo catalogue marks the intake modes on real items across departments.
    from onewindow.catalog.models import ItemVersion, Material

    food = ItemVersion.objects.get(item__code="SZ-SCJG-XK-0005", is_current=True)
    assert food.commitment_allowed and food.commitment_text
    assert set(Material.objects.filter(version=food, deferrable=True).values_list("code", flat=True)) == {"M04", "M05"}
    assert ItemVersion.objects.get(item__code="SZ-SCJG-XK-0004", is_current=True).commitment_allowed
    departments = set(Material.objects.filter(version__is_current=True, deferrable=True)
                      .values_list("version__item__department__code", flat=True))
    assert {"SZ-SCJG", "SZ-ZJJ", "SZ-BDC", "SZ-WJW"} <= departments
