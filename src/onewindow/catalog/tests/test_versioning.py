"""Versioning of service items through catalog.services (and the admin, which must use them)."""

import json
import re

import pytest

from onewindow.audit.models import AuditEntry
from onewindow.audit.services import verify
from onewindow.catalog import services
from onewindow.catalog.models import Fee, ItemVersion, Material, ServiceItem
from onewindow.catalog.serialize import item_to_dict
from onewindow.core.errors import Conflict, ServiceError

pytestmark = pytest.mark.django_db

MATERIALS = [
    {"code": "M01", "name": "食品经营许可申请书"},
    {"code": "M02", "name": "营业执照", "form": "copy", "source": "government", "licence_type": "YYZZ"},
]
FEES = [{"name": "工本费", "standard": "每证10元", "basis": "某收费文件", "enterprise_related": True}]


@pytest.fixture
def dept():
    d = services.create_department(code="SZ-SCJG", name="宿州市市场监督管理局", short_name="市市场监管局")
    services.create_department(code="SZ-GAJ", name="宿州市公安局")
    services.upsert_licence_type(code="YYZZ", name="营业执照", department="SZ-SCJG")
    return d


def make(dept, code="SZ-SCJG-XK-0001", **extra):
    fields = dict(name="食品经营许可", type="licensing", subject="org", levels=["city", "county"],
                  legal_basis="《中华人民共和国食品安全法》第三十五条", statutory_days=20, committed_days=5,
                  process_steps=["受理", "审查", "决定", "送达"], online_depth="full", max_visits=0,
                  licence_type="YYZZ")
    fields.update(extra)
    return services.create_item(code=code, department=dept, materials=MATERIALS, fees=FEES, **fields)


def test_create_item_makes_published_version_one(dept):
    v = make(dept)
    assert (v.version, v.status, v.is_current) == (1, "published", True)
    assert v.published_at is not None
    assert v.item.department.code == "SZ-SCJG"
    assert list(v.materials.values_list("code", "name", "licence_type__code")) == [
        ("M01", "食品经营许可申请书", None),
        ("M02", "营业执照", "YYZZ"),
    ]
    assert v.fees.get().standard == "每证10元"
    assert AuditEntry.objects.filter(action="catalog.item.create", object_id="SZ-SCJG-XK-0001").count() == 1


def test_updating_published_item_creates_version_two_and_keeps_the_old_one(dept):
    v1 = make(dept)
    v2 = services.update_item(v1.item, name="食品经营许可（含仅销售预包装食品备案）", committed_days=3)
    assert v2.pk != v1.pk and v2.version == 2
    assert (v2.status, v2.is_current, v2.name, v2.committed_days) == (
        "published", True, "食品经营许可（含仅销售预包装食品备案）", 3)
    # Unchanged fields, materials and fees are copied into version 2.
    assert v2.statutory_days == 20 and v2.levels == ["city", "county"] and v2.licence_type.code == "YYZZ"
    assert list(v2.materials.values_list("code", "name")) == [("M01", "食品经营许可申请书"), ("M02", "营业执照")]
    assert list(v2.fees.values_list("name", flat=True)) == ["工本费"]
    # The old version is kept unchanged, still published, no longer current, with its own rows.
    v1.refresh_from_db()
    assert (v1.version, v1.status, v1.is_current, v1.name, v1.committed_days) == (
        1, "published", False, "食品经营许可", 5)
    assert v1.materials.count() == 2 and v1.fees.count() == 1
    assert ItemVersion.objects.filter(item=v1.item, is_current=True).count() == 1
    assert v1.item.current.pk == v2.pk
    assert Material.objects.count() == 4 and Fee.objects.count() == 2
    assert verify() is None


def test_new_materials_apply_to_the_new_version_only(dept):
    v1 = make(dept)
    v2 = services.update_item(v1.item, materials=[{"code": "M01", "name": "申请书"}], fees=[])
    assert list(v2.materials.values_list("name", flat=True)) == ["申请书"]
    assert v2.fees.count() == 0
    assert list(v1.materials.values_list("name", flat=True)) == ["食品经营许可申请书", "营业执照"]
    assert v1.fees.count() == 1
    v3 = services.update_item(v2.item, department="SZ-GAJ")
    assert v3.version == 3
    assert ServiceItem.objects.get(pk=v1.item_id).department.code == "SZ-GAJ"


def test_draft_is_edited_in_place(dept):
    draft = make(dept, status="draft")
    assert draft.status == "draft" and draft.published_at is None
    same = services.update_item(draft.item, name="食品经营许可（草稿修改）", materials=[{"code": "A1", "name": "申请书"}])
    assert same.pk == draft.pk and same.version == 1
    assert ItemVersion.objects.filter(item=draft.item).count() == 1
    assert list(same.materials.values_list("code", flat=True)) == ["A1"]
    assert same.fees.count() == 1  # fees not given: kept
    published = services.publish_item(draft.item)
    assert published.status == "published" and published.published_at is not None
    with pytest.raises(Conflict):
        services.publish_item(draft.item)


def test_upsert_of_identical_data_changes_nothing(dept):
    v1 = make(dept)
    data = item_to_dict(v1)
    audit_before = AuditEntry.objects.count()
    version, changed = services.upsert_item_from_dict(data)
    assert changed is False and version.pk == v1.pk
    assert ItemVersion.objects.count() == 1 and Material.objects.count() == 2
    assert AuditEntry.objects.count() == audit_before
    # Loosely typed but equal input (as from Excel) is still equal.
    loose = {**data, "levels": "市级、县级", "process_steps": "受理→审查→决定→送达", "statutory_days": "20",
             "window_accepts": "是", "type": "行政许可"}
    assert services.upsert_item_from_dict(loose)[1] is False
    # A real difference makes version 2.
    version, changed = services.upsert_item_from_dict({**data, "committed_days": 2})
    assert changed is True and version.version == 2 and version.committed_days == 2


def test_upsert_creates_a_new_item(dept):
    data = item_to_dict(make(dept))
    data.update(code="SZ-SCJG-XK-0002", name="食品生产许可")
    version, changed = services.upsert_item_from_dict(data)
    assert changed and version.version == 1 and version.item.code == "SZ-SCJG-XK-0002"
    assert version.materials.count() == 2


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"committed_days": 21}, "committed_days"),
        ({"max_visits": 3}, "max_visits"),
        ({"licence_type": "NOPE"}, "licence_type"),
        ({"type": "magic"}, "type"),
    ],
)
def test_bad_input_on_create_raises_and_saves_nothing(dept, bad, field):
    with pytest.raises(ServiceError) as err:
        make(dept, **bad)
    assert field in err.value.fields
    assert err.value.message  # a Chinese message for the user
    assert ServiceItem.objects.count() == 0 and ItemVersion.objects.count() == 0 and Material.objects.count() == 0


def test_duplicate_material_codes_are_refused(dept):
    with pytest.raises(ServiceError) as err:
        services.create_item(code="X-1", department=dept, name="某事项", type="licensing", statutory_days=5,
                             committed_days=1, materials=[{"code": "M01", "name": "甲"}, {"code": "M01", "name": "乙"}])
    assert "materials[1].code" in err.value.fields
    assert "材料编码重复" in err.value.message
    assert ServiceItem.objects.count() == 0 and Material.objects.count() == 0


def test_bad_update_saves_nothing(dept):
    v1 = make(dept)
    audit_before = AuditEntry.objects.count()
    for bad in ({"committed_days": 25}, {"max_visits": 3}, {"materials": [{"code": "A", "name": "x"}] * 2},
                {"statutory_days": 4}, {"department": "SZ-NONE"}, {"colour": "red"}):
        with pytest.raises(ServiceError):
            services.update_item(v1.item, **bad)
    assert ItemVersion.objects.filter(item=v1.item).count() == 1
    v1.refresh_from_db()
    assert v1.is_current and v1.committed_days == 5 and v1.materials.count() == 2
    assert AuditEntry.objects.count() == audit_before


def test_duplicate_item_code_is_a_conflict(dept):
    make(dept)
    with pytest.raises(Conflict):
        make(dept)
    assert ItemVersion.objects.count() == 1


def test_retired_item_cannot_be_changed(dept):
    v1 = make(dept)
    retired = services.retire_item(v1.item, reason="事项取消")
    assert retired.pk == v1.pk and retired.status == "retired" and retired.is_current
    with pytest.raises(Conflict):
        services.update_item(v1.item, name="新名称")
    with pytest.raises(Conflict):
        services.retire_item(v1.item)
    assert ItemVersion.objects.count() == 1


def _admin_post_data(version) -> dict:
    data = item_to_dict(version)
    post = {}
    for key, value in data.items():
        if key in ("code", "department", "materials", "fees", "licence_type"):
            continue
        if isinstance(value, bool):
            if value:
                post[key] = "on"
        elif key in ("levels", "process_steps"):  # checkboxes; one text row per step
            post[key] = list(value)
        elif isinstance(value, list):
            post[key] = json.dumps(value, ensure_ascii=False)
        else:
            post[key] = str(value)
    post["licence_type"] = str(version.licence_type_id or "")
    mats = list(version.materials.all())
    post.update({"materials-TOTAL_FORMS": str(len(mats)), "materials-INITIAL_FORMS": str(len(mats)),
                 "materials-MIN_NUM_FORMS": "0", "materials-MAX_NUM_FORMS": "1000"})
    for i, m in enumerate(mats):
        post.update({f"materials-{i}-id": str(m.pk), f"materials-{i}-version": str(version.pk),
                     f"materials-{i}-code": m.code, f"materials-{i}-name": m.name, f"materials-{i}-form": m.form,
                     f"materials-{i}-copies": str(m.copies), f"materials-{i}-source": m.source,
                     f"materials-{i}-licence_type": str(m.licence_type_id or ""), f"materials-{i}-note": m.note})
        if m.required:
            post[f"materials-{i}-required"] = "on"
    fees = list(version.fees.all())
    post.update({"fees-TOTAL_FORMS": str(len(fees)), "fees-INITIAL_FORMS": str(len(fees)),
                 "fees-MIN_NUM_FORMS": "0", "fees-MAX_NUM_FORMS": "1000"})
    for i, f in enumerate(fees):
        post.update({f"fees-{i}-id": str(f.pk), f"fees-{i}-version": str(version.pk), f"fees-{i}-name": f.name,
                     f"fees-{i}-standard": f.standard, f"fees-{i}-basis": f.basis})
        if f.enterprise_related:
            post[f"fees-{i}-enterprise_related"] = "on"
    return post


def test_admin_edit_of_published_version_saves_a_new_version(dept, client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-12345")
    client.force_login(admin_user)
    v1 = make(dept)
    url = f"/admin/catalog/itemversion/{v1.pk}/change/"
    assert client.get(url).status_code == 200
    post = _admin_post_data(v1)
    post["committed_days"] = "2"
    post["materials-1-name"] = "营业执照（电子证照）"
    post["_continue"] = "1"
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = ItemVersion.objects.get(item=v1.item, is_current=True)
    assert v2.version == 2 and v2.committed_days == 2
    assert response["Location"].endswith(f"/admin/catalog/itemversion/{v2.pk}/change/")
    assert list(v2.materials.values_list("name", flat=True)) == ["食品经营许可申请书", "营业执照（电子证照）"]
    v1.refresh_from_db()
    assert v1.committed_days == 5 and not v1.is_current
    assert list(v1.materials.values_list("name", flat=True)) == ["食品经营许可申请书", "营业执照"]
    assert AuditEntry.objects.filter(action="catalog.item.new_version").count() == 1

    # A bad edit (committed > statutory) is shown on the form; nothing is written.
    post = _admin_post_data(v2)
    post["committed_days"] = "30"
    response = client.post(f"/admin/catalog/itemversion/{v2.pk}/change/", post)
    assert response.status_code == 200
    assert ItemVersion.objects.filter(item=v1.item).count() == 2

    # The old version's page is read-only: posting to it changes nothing.
    response = client.post(url, {**_admin_post_data(v1), "committed_days": "1"})
    assert ItemVersion.objects.filter(item=v1.item).count() == 2
    v1.refresh_from_db()
    assert v1.committed_days == 5


def test_admin_add_creates_item_through_services(dept, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw-12345"))
    v1 = make(dept)
    post = _admin_post_data(v1)
    for key in [k for k in post if k.endswith("-id") or k.endswith("-version")]:
        post[key] = ""
    post.update({"materials-INITIAL_FORMS": "0", "fees-INITIAL_FORMS": "0", "new_code": "SZ-SCJG-XK-0009",
                 "new_department": str(dept.pk), "name": "食品生产许可"})
    response = client.post("/admin/catalog/itemversion/add/", post)
    assert response.status_code == 302, response.content.decode()[:3000]
    v = ItemVersion.objects.get(item__code="SZ-SCJG-XK-0009")
    assert (v.version, v.status, v.name, v.materials.count(), v.fees.count()) == (1, "published", "食品生产许可", 2, 1)
    assert AuditEntry.objects.filter(action="catalog.item.create", object_id="SZ-SCJG-XK-0009").exists()


def test_days_beyond_the_column_range_are_a_field_error_not_a_database_error():
    from onewindow.catalog.serialize import normalize_item_dict

    with pytest.raises(ServiceError) as exc:
        normalize_item_dict({"code": "X-1", "department": "D", "name": "某事项", "type": "licensing",
                             "statutory_days": 40000, "committed_days": 1})
    assert exc.value.fields["statutory_days"] == "不能大于 32767"


def test_admin_edits_levels_as_checkboxes_and_steps_as_rows(dept, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw-12345"))
    v1 = make(dept)
    url = f"/admin/catalog/itemversion/{v1.pk}/change/"
    page = client.get(url).content.decode()
    # no raw JSON: one checkbox per level (the current ones ticked), one text row per step plus blank rows
    assert 'type="checkbox" name="levels" value="county"' in page
    assert '["' not in page.split('name="levels"')[0][-300:]
    rows = re.findall(r'<input type="text" name="process_steps" value="([^"]*)"', page)
    assert rows == [*v1.process_steps, "", "", ""], rows
    post = _admin_post_data(v1)
    post["levels"] = ["town", "city"]  # order of the form does not matter: stored in the catalogue's order
    post["process_steps"] = ["申请", "  ", "受理", "审查", "决定", ""]  # blank rows are dropped
    post["_continue"] = "1"
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = ItemVersion.objects.get(item=v1.item, is_current=True)
    assert v2.version == 2
    assert v2.levels == ["city", "town"]
    assert v2.process_steps == ["申请", "受理", "审查", "决定"]
    # a level that is not one is refused on the form; nothing is written
    post = _admin_post_data(v2)
    post["levels"] = ["galaxy"]
    response = client.post(f"/admin/catalog/itemversion/{v2.pk}/change/", post)
    assert response.status_code == 200 and "galaxy" in response.content.decode()
    assert ItemVersion.objects.filter(item=v1.item).count() == 2
