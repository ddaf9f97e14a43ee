from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from onewindow.accounts.models import User
from onewindow.audit.models import AuditEntry
from onewindow.catalog.excel import export_catalogue, import_catalogue
from onewindow.catalog.models import ItemVersion, Material
from onewindow.catalog.selectors import current_versions

from .pubdata import make_catalogue

pytestmark = pytest.mark.django_db

# Export order is by item code: row 2 SZ-GAJ-GG-0001, 3 SZ-GAJ-QR-0001, 4 SZ-SCJG-CF-0001, 5 SZ-SCJG-XK-0001.


@pytest.fixture
def cat():
    return make_catalogue()


@pytest.fixture
def exported(cat, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    export_catalogue(current_versions().order_by("item__code")).save(path)
    return path


def _import(path, actor=None):
    with open(path, "rb") as fh:
        return import_catalogue(fh, actor=actor)


def _set(path, sheet, row, header, value):
    wb = load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    ws.cell(row=row, column=headers.index(header) + 1, value=value)
    wb.save(path)


def _errors(result):
    return [(e.sheet, e.row, e.column) for e in result.errors]


def test_export_layout(exported):
    wb = load_workbook(exported)
    assert wb.sheetnames == ["事项", "材料", "收费"]
    items = list(wb["事项"].iter_rows(values_only=True))
    assert items[0][:4] == ("事项编码", "事项名称", "实施部门编码", "实施部门")
    assert [r[0] for r in items[1:]] == ["SZ-GAJ-GG-0001", "SZ-GAJ-QR-0001", "SZ-SCJG-CF-0001", "SZ-SCJG-XK-0001"]
    head = list(items[0])
    food = dict(zip(head, items[4], strict=True))
    assert food["事项类型"] == "行政许可"
    assert food["服务对象"] == "法人"
    assert food["行使层级"] == "市级；县区级"
    assert food["办理流程"] == "申请；受理；审查；决定"
    assert food["网办深度"] == "全程网办"
    assert (food["法定办结时限"], food["承诺办结时限"], food["最多跑动次数"]) == (20, 5, 0)
    assert food["进驻大厅办理"] == "是" and food["窗口决定授权"] == "否"
    materials = list(wb["材料"].iter_rows(values_only=True))
    assert materials[0] == ("事项编码", "材料编码", "材料名称", "必要", "形式", "份数", "来源", "可替代证照", "说明",
                            "可容缺", "可承诺替代")
    assert materials[1] == ("SZ-GAJ-GG-0001", "M01", "居民身份证", "是", "原件", 1, "申请人自备", None, None, "否", "否")
    assert materials[3] == ("SZ-SCJG-XK-0001", "M02", "营业执照复印件", "是", "复印件", 2, "申请人自备", "YYZZ", None,
                            "否", "否")
    assert materials[4][3] == "否" and materials[4][8] == "委托办理时提交"
    fees = list(wb["收费"].iter_rows(values_only=True))
    assert fees[1] == ("SZ-GAJ-QR-0001", "印章工本费", "每枚30元", "皖价服〔2015〕88号", "是")
    assert fees[2][4] == "否"


def test_round_trip_is_lossless(exported):
    versions = ItemVersion.objects.count()
    audit = AuditEntry.objects.count()
    result = _import(exported)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert ItemVersion.objects.count() == versions
    assert AuditEntry.objects.count() == audit


def test_changed_cell_makes_exactly_one_new_version(exported, cat):
    versions = ItemVersion.objects.count()
    _set(exported, "事项", 5, "承诺办结时限", 4)
    result = _import(exported)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    assert ItemVersion.objects.count() == versions + 1
    current = cat["food"].current
    assert (current.version, current.committed_days) == (3, 4)
    assert list(current.materials.values_list("code", flat=True)) == ["M01", "M02", "M03"]
    assert current.materials.get(code="M02").licence_type.code == "YYZZ"
    # the previous version stays as it was
    assert ItemVersion.objects.get(item=cat["food"], version=2).committed_days == 5
    # importing the same file again changes nothing
    again = _import(exported)
    assert (again.updated, again.unchanged) == (0, 4)
    assert ItemVersion.objects.count() == versions + 1


def test_removed_material_row_makes_new_version_without_it(exported, cat):
    wb = load_workbook(exported)
    ws = wb["材料"]
    ws.delete_rows(5)  # SZ-SCJG-XK-0001 / M03 授权委托书
    wb.save(exported)
    result = _import(exported)
    assert (result.updated, result.unchanged) == (1, 3)
    assert list(cat["food"].current.materials.values_list("code", flat=True)) == ["M01", "M02"]


def test_new_row_creates_item(exported, cat):
    wb = load_workbook(exported)
    ws = wb["事项"]
    headers = [c.value for c in ws[1]]
    row = dict.fromkeys(headers)
    row.update({"事项编码": "SZ-GAJ-GG-0002", "事项名称": "无犯罪记录证明", "实施部门编码": "SZ-GAJ",
                "事项类型": "公共服务", "法定办结时限": 5, "承诺办结时限": "1", "行使层级": "市级、县区级"})
    ws.append([row[h] for h in headers])
    wb["材料"].append(["SZ-GAJ-GG-0002", "M01", "居民身份证", "是", "原件", 1, "申请人自备", None, None])
    wb["收费"].append(["SZ-GAJ-GG-0002", "证明费", "每份2元", "某文件", "否"])
    wb.save(exported)
    user = User.objects.create_user("admin8", password="x" * 10, role="admin")
    result = _import(exported, actor=user)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (1, 0, 4)
    v = current_versions().get(item__code="SZ-GAJ-GG-0002")
    assert (v.name, v.type, v.committed_days, v.levels) == ("无犯罪记录证明", "public_service", 1, ["city", "county"])
    assert v.materials.count() == 1 and v.fees.get().standard == "每份2元"
    assert AuditEntry.objects.filter(action="catalog.item.create", object_id="SZ-GAJ-GG-0002", actor=user).exists()


def _assert_nothing_imported(before_versions, before_materials):
    assert ItemVersion.objects.count() == before_versions
    assert Material.objects.count() == before_materials


def test_unknown_department(exported):
    n, m = ItemVersion.objects.count(), Material.objects.count()
    _set(exported, "事项", 3, "实施部门编码", "SZ-NOPE")
    _set(exported, "事项", 5, "承诺办结时限", 4)  # a valid change elsewhere must not be applied either
    result = _import(exported)
    assert _errors(result) == [("事项", 3, "实施部门编码")]
    assert "SZ-NOPE" in result.errors[0].message and "不存在" in result.errors[0].message
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    _assert_nothing_imported(n, m)


def test_committed_longer_than_statutory(exported):
    n, m = ItemVersion.objects.count(), Material.objects.count()
    _set(exported, "事项", 4, "承诺办结时限", 91)  # 对未取得…的处罚: statutory 90
    result = _import(exported)
    assert _errors(result) == [("事项", 4, "承诺办结时限")]
    assert "不能超过法定办结时限" in result.errors[0].message
    _assert_nothing_imported(n, m)


def test_text_in_days_column(exported):
    n, m = ItemVersion.objects.count(), Material.objects.count()
    _set(exported, "事项", 2, "法定办结时限", "五天")
    _set(exported, "材料", 3, "份数", "两份")
    result = _import(exported)
    assert _errors(result) == [("事项", 2, "法定办结时限"), ("材料", 3, "份数")]
    assert "应为整数" in result.errors[0].message
    _assert_nothing_imported(n, m)


def test_missing_header(exported):
    n, m = ItemVersion.objects.count(), Material.objects.count()
    wb = load_workbook(exported)
    wb["事项"].delete_cols(11)  # 法定办结时限
    wb.save(exported)
    result = _import(exported)
    assert _errors(result) == [("事项", 1, "法定办结时限")]
    assert "缺少必需的列" in result.errors[0].message
    _assert_nothing_imported(n, m)


def test_duplicate_item_code(exported):
    n, m = ItemVersion.objects.count(), Material.objects.count()
    _set(exported, "事项", 4, "事项编码", "SZ-GAJ-QR-0001")
    result = _import(exported)
    # row 4 repeats row 3's code; the materials/fees of the vanished SZ-SCJG-CF-0001 have none
    assert ("事项", 4, "事项编码") in _errors(result)
    assert "第 3 行" in result.errors[0].message
    _assert_nothing_imported(n, m)


def test_material_for_unknown_item_and_duplicate_material(exported):
    n, m = ItemVersion.objects.count(), Material.objects.count()
    wb = load_workbook(exported)
    wb["材料"].append(["SZ-XX-0000", "M01", "某材料", "是", "原件", 1, "申请人自备", None, None])  # row 6
    wb["材料"].append(["SZ-SCJG-XK-0001", "M01", "重复材料", "是", "原件", 1, "申请人自备", None, None])  # row 7
    wb["材料"].append(["SZ-SCJG-XK-0001", "M04", "其他", "也许", "原件", 1, "申请人自备", "NOLIC", None])  # row 8
    wb.save(exported)
    result = _import(exported)
    assert _errors(result) == [("材料", 6, "事项编码"), ("材料", 7, "材料编码"), ("材料", 8, "可替代证照"),
                               ("材料", 8, "必要")]
    _assert_nothing_imported(n, m)


def test_bad_labels(exported):
    n = ItemVersion.objects.count()
    _set(exported, "事项", 2, "事项类型", "行政魔法")
    _set(exported, "事项", 3, "网办深度", "随便")
    _set(exported, "事项", 4, "行使层级", "市级；火星")
    _set(exported, "收费", 2, "涉企收费", "大概")
    result = _import(exported)
    assert _errors(result) == [("事项", 2, "事项类型"), ("事项", 3, "网办深度"), ("事项", 4, "行使层级"),
                               ("收费", 2, "涉企收费")]
    assert ItemVersion.objects.count() == n


def test_not_a_workbook():
    result = import_catalogue(BytesIO(b"not an excel file"))
    assert len(result.errors) == 1 and "无法读取" in result.errors[0].message


def test_missing_item_sheet(cat, tmp_path):
    path = tmp_path / "x.xlsx"
    wb = export_catalogue([])
    wb["事项"].title = "Sheet1"
    wb.save(path)
    result = _import(path)
    assert _errors(result) == [("事项", 0, "")]


def test_command_export_then_import(cat, tmp_path, capsys):
    path = tmp_path / "cmd.xlsx"
    call_command("catalogue_excel", "export", str(path))
    assert "exported 4 items" in capsys.readouterr().out
    call_command("catalogue_excel", "import", str(path))
    assert "created 0, updated 0, unchanged 4" in capsys.readouterr().out
    _set(path, "事项", 2, "实施部门编码", "NOPE")
    with pytest.raises(SystemExit) as exc:
        call_command("catalogue_excel", "import", str(path))
    assert exc.value.code == 1
    assert "事项 第 2 行（实施部门编码）" in capsys.readouterr().err


def test_upload_page(client, exported):
    admin = User.objects.create_user("admin7", password="x" * 10, role="admin")
    client.force_login(admin)
    n = ItemVersion.objects.count()
    _set(exported, "事项", 4, "承诺办结时限", 91)
    with open(exported, "rb") as fh:
        response = client.post("/items/excel/", {"file": fh})
    html = response.content.decode()
    assert response.status_code == 400
    assert "未导入任何内容" in html and "承诺办结时限" in html and "<td>4</td>" in html
    assert ItemVersion.objects.count() == n
    _set(exported, "事项", 4, "承诺办结时限", 30)
    with open(exported, "rb") as fh:
        response = client.post("/items/excel/", {"file": fh})
    assert response.status_code == 200
    assert "更新 1 个事项" in response.content.decode()
    assert ItemVersion.objects.count() == n + 1


def test_upload_refused_to_non_admin(client, exported):
    user = User.objects.create_user("citizen7", password="x" * 10, role="applicant")
    client.force_login(user)
    _set(exported, "事项", 4, "承诺办结时限", 30)
    n = ItemVersion.objects.count()
    with open(exported, "rb") as fh:
        assert client.post("/items/excel/", {"file": fh}).status_code == 403
    assert ItemVersion.objects.count() == n


def test_export_survives_control_characters_and_formula_like_text(cat, tmp_path):
    ItemVersion.objects.filter(item=cat["hukou"], is_current=True).update(
        conditions="=SUM(A1)", legal_basis="依据\x07第一条"
    )
    path = tmp_path / "odd.xlsx"
    export_catalogue(current_versions().order_by("item__code")).save(path)
    ws = load_workbook(path)["事项"]
    headers = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=headers.index("受理条件") + 1).value == "=SUM(A1)"
    assert ws.cell(row=2, column=headers.index("受理条件") + 1).data_type == "s"
    assert ws.cell(row=2, column=headers.index("设定依据") + 1).value == "依据第一条"


def test_demo_catalogue_round_trip(tmp_path):
    from onewindow.catalog import demo
    from onewindow.catalog.serialize import item_to_dict

    demo.load()
    expected = len(demo.all_items())
    before = {v.item.code: item_to_dict(v) for v in current_versions(published_only=False)}
    versions = ItemVersion.objects.count()
    path = tmp_path / "demo.xlsx"
    call_command("catalogue_excel", "export", str(path))
    assert load_workbook(path)["事项"].max_row == expected + 1
    result = _import(path)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, expected)
    assert ItemVersion.objects.count() == versions
    after = {v.item.code: item_to_dict(v) for v in current_versions(published_only=False)}
    assert after == before
    # one material renamed: exactly one new version, for that item only
    wb = load_workbook(path)
    row = next(wb["材料"].iter_rows(min_row=2, max_row=2))
    code, old_name = row[0].value, row[2].value
    row[2].value = old_name + "（新版）"
    wb.save(path)
    result = _import(path)
    assert (result.updated, result.unchanged) == (1, expected - 1)
    assert ItemVersion.objects.count() == versions + 1
    names = [m["name"] for m in item_to_dict(current_versions().get(item__code=code))["materials"]]
    assert old_name + "（新版）" in names


def test_intake_mode_columns_round_trip(exported):
    """可容缺 / 可承诺替代 on a material and the item's 告知承诺 columns: edited in the sheet, imported as a new
    version."""
    from onewindow.catalog.models import Material

    before = current_versions().get(item__code="SZ-SCJG-XK-0001").version
    # Row 4 of 材料 is SZ-SCJG-XK-0001 M02 (required); row 1 of 事项 + 4 is that item.
    _set(exported, "材料", 4, "可容缺", "是")
    _set(exported, "材料", 4, "可承诺替代", "是")
    _set(exported, "事项", 5, "实行告知承诺制", "是")
    _set(exported, "事项", 5, "告知承诺书文本", "本人承诺所填信息真实。")
    _set(exported, "事项", 5, "容缺补正时限", 3)
    result = _import(exported)
    assert result.errors == [] and result.updated == 1
    v = current_versions().get(item__code="SZ-SCJG-XK-0001")
    assert v.version == before + 1 and v.commitment_allowed and v.commitment_text == "本人承诺所填信息真实。" and v.makeup_days == 3
    m = Material.objects.get(version=v, code="M02")
    assert m.deferrable and m.by_commitment
    again = _import(exported)
    assert again.errors == [] and again.updated == 0  # lossless: the same sheet changes nothing more
