from io import BytesIO

import pytest
from openpyxl import load_workbook

from onewindow.accounts.models import User

from .pubdata import make_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return make_catalogue()


def _text(response) -> str:
    return response.content.decode()


def test_home_figures_computed_from_data(client, cat):
    response = client.get("/")
    assert response.status_code == 200
    figures = response.context["figures"]
    # 3 departments, 2 stationed; 4 current items (an old version is not counted)
    assert figures["departments"] == 3
    assert figures["stationed_departments"] == 2
    assert figures["items"] == 4
    # 1 city + 2 county + 3 town sites
    assert figures["sites_by_level"] == {"city": 1, "county": 2, "town": 3, "village": 0}
    assert figures["sites"] == 6
    # full (食品经营许可) + prereview (户籍证明) = 2 of 4
    assert figures["online_items"] == 2 and figures["online_share"] == 50.0
    # one 即办件 (committed 0) of 4
    assert figures["instant_items"] == 1 and figures["instant_share"] == 25.0
    # committed (5+60+0+3)/4 = 17.0, statutory (20+90+6+10)/4 = 31.5
    assert figures["avg_committed_days"] == 17.0
    assert figures["avg_statutory_days"] == 31.5
    html = _text(response)
    assert '<div class="figure" id="fig-items"><b>4</b>' in html
    assert '<div class="figure" id="fig-stationed"><b>2</b>' in html
    assert "50.0%" in html and "25.0%" in html
    for href in ("/items/", "/network/", "/lists/", "/track/", "/hall/"):
        assert f'href="{href}"' in html
    assert 'action="/items/"' in html


def test_home_with_empty_catalogue(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["figures"]["items"] == 0
    assert response.context["figures"]["online_share"] == 0.0


def test_search_page_filters_and_links(client, cat):
    response = client.get("/items/", {"q": "食品"})
    assert response.status_code == 200
    html = _text(response)
    assert "食品经营许可" in html and "户籍证明开具" not in html
    assert 'href="/items/SZ-SCJG-XK-0001/"' in html
    response = client.get("/items/", {"department": "SZ-GAJ", "online": "prereview"})
    assert [v.item.code for v in response.context["result"].rows] == ["SZ-GAJ-GG-0001"]
    response = client.get("/items/", {"level": "town"})
    assert [v.item.code for v in response.context["result"].rows] == ["SZ-GAJ-GG-0001"]


def test_search_page_bad_input_is_400_not_500(client, cat):
    assert client.get("/items/", {"type": "magic"}).status_code == 400
    assert client.get("/items/", {"page": "abc"}).status_code == 400


def test_search_page_pagination_keeps_filters(client, cat):
    from onewindow.catalog.models import ItemVersion, ServiceItem

    for i in range(21):
        item = ServiceItem.objects.create(code=f"T-{i:03d}", department=cat["gaj"])
        ItemVersion.objects.create(item=item, version=1, name=f"测试事项{i}", type="public_service",
                                   statutory_days=5, committed_days=1)
    response = client.get("/items/", {"type": "public_service"})
    assert response.context["result"].count == 22
    assert "/items/?type=public_service&page=2" in _text(response)
    page2 = client.get("/items/", {"type": "public_service", "page": 2})
    assert len(page2.context["result"].rows) == 2


def test_item_guide_shows_materials_fees_and_times(client, cat):
    response = client.get("/items/SZ-SCJG-XK-0001/")
    assert response.status_code == 200
    html = _text(response)
    for text in ("食品经营许可", "市市场监督管理局", "行政许可", "具有与经营的食品品种",
                 "食品经营许可申请书", "营业执照复印件", "授权委托书", "可用电子证照免提交",
                 "委托办理时提交", "不收费", "全程网办", "宿州市政务服务中心二楼市场监管窗口", "0557-3021234",
                 "《中华人民共和国食品安全法》第三十五条", "食品经营许可证", "受理责任：公示依法应当提交的材料",
                 "对符合条件不予受理的"):
        assert text in html, text
    assert "20 个工作日" in html and "5 个工作日" in html
    assert html.count('class="tag red">必要') == 2 and html.count('class="tag">非必要') == 1
    assert "<li>审查</li>" in html
    assert "食品经营许可（旧）" not in html


def test_item_guide_fee_basis(client, cat):
    html = _text(client.get("/items/SZ-GAJ-QR-0001/"))
    assert "印章工本费" in html and "每枚30元" in html and "皖价服〔2015〕88号" in html
    assert "不收费" not in html


def test_item_guide_instant(client, cat):
    html = _text(client.get("/items/SZ-GAJ-GG-0001/"))
    assert "即办件" in html and "网上预审" in html


def test_unknown_item_guide_is_404(client, cat):
    response = client.get("/items/NO-SUCH/")
    assert response.status_code == 404
    assert "未找到事项" in _text(response)


def test_lists_page_tabs(client, cat):
    response = client.get("/lists/")
    assert response.status_code == 200
    html = _text(response)
    assert "权力清单（3）" in html and "责任清单（2）" in html and "涉企收费清单（1）" in html
    # power list: 3 items of the ten power types, public service excluded
    codes = [v.item.code for v in response.context["page"].rows]
    assert codes == ["SZ-SCJG-XK-0001", "SZ-SCJG-CF-0001", "SZ-GAJ-QR-0001"]
    assert "户籍证明开具" not in html
    for kind in ("power", "responsibility", "fees"):
        assert f'href="/lists/{kind}.xlsx"' in html
    resp = client.get("/lists/", {"tab": "responsibility"})
    assert [v.item.code for v in resp.context["page"].rows] == ["SZ-SCJG-XK-0001", "SZ-GAJ-QR-0001"]
    resp = client.get("/lists/", {"tab": "fees"})
    html = _text(resp)
    assert "印章工本费" in html and "皖价服〔2015〕88号" in html and "加急服务费" not in html


def _sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    return list(wb.active.iter_rows(values_only=True))


def test_power_list_xlsx(client, cat):
    rows = _sheet_rows(client.get("/lists/power.xlsx"))
    assert rows[0][:5] == ("序号", "实施部门", "事项编码", "事项名称", "权力类型")
    assert [(r[2], r[4]) for r in rows[1:]] == [
        ("SZ-SCJG-XK-0001", "行政许可"),
        ("SZ-SCJG-CF-0001", "行政处罚"),
        ("SZ-GAJ-QR-0001", "行政确认"),
    ]


def test_responsibility_list_xlsx(client, cat):
    rows = _sheet_rows(client.get("/lists/responsibility.xlsx"))
    assert rows[0][5:7] == ("责任事项", "追责情形")
    assert [r[2] for r in rows[1:]] == ["SZ-SCJG-XK-0001", "SZ-GAJ-QR-0001"]
    assert rows[2][6] == "违规备案的，依法追责"


def test_fee_list_xlsx(client, cat):
    rows = _sheet_rows(client.get("/lists/fees.xlsx"))
    assert rows[0] == ("序号", "实施部门", "事项编码", "事项名称", "收费项目", "收费标准", "收费依据")
    assert rows[1:] == [(1, "市公安局", "SZ-GAJ-QR-0001", "印章刻制备案", "印章工本费", "每枚30元", "皖价服〔2015〕88号")]


def test_unknown_list_xlsx_is_404(client, cat):
    assert client.get("/lists/other.xlsx").status_code == 404


def test_excel_page_requires_admin(client, cat):
    response = client.get("/items/excel/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    clerk = User.objects.create_user("clerk9", password="x" * 10, role="clerk")
    client.force_login(clerk)
    assert client.get("/items/excel/").status_code == 403
    assert client.get("/items/excel/?download=1").status_code == 403
    assert client.post("/items/excel/").status_code == 403


def test_excel_page_for_admin_downloads_catalogue(client, cat):
    admin = User.objects.create_user("admin9", password="x" * 10, role="admin")
    client.force_login(admin)
    page = client.get("/items/excel/")
    assert page.status_code == 200 and "当前目录共有 4 个事项" in _text(page)
    response = client.get("/items/excel/?download=1")
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["事项", "材料", "收费"]
    assert wb["事项"].max_row == 5  # header + 4 items
    assert wb["材料"].max_row == 5  # header + 3 + 1 materials
    assert wb["收费"].max_row == 3  # header + 2 fees


def test_superuser_may_use_excel_page(client, cat):
    root = User.objects.create_superuser("root9", password="x" * 10, role="applicant")
    client.force_login(root)
    assert client.get("/items/excel/").status_code == 200


def test_power_list_orders_types_as_classified(client, cat):
    from onewindow.catalog.models import ItemVersion, ServiceItem

    # 行政确认 sorts before 行政许可 alphabetically by value, but comes after 行政处罚 in the classification
    item = ServiceItem.objects.create(code="SZ-SCJG-QR-0001", department=cat["scjg"])
    ItemVersion.objects.create(item=item, version=1, name="某确认", type="confirmation", statutory_days=5,
                               committed_days=1)
    codes = [v.item.code for v in client.get("/lists/").context["page"].rows]
    assert codes == ["SZ-SCJG-XK-0001", "SZ-SCJG-CF-0001", "SZ-SCJG-QR-0001", "SZ-GAJ-QR-0001"]
