"""The demo catalogue (catalog/data/*.json) loads completely, idempotently and consistently."""

import io
import re

import pytest
from django.core.management import call_command

from onewindow.audit.models import AuditEntry
from onewindow.catalog import demo
from onewindow.catalog.generate import current_count, fill_catalogue, variant_name
from onewindow.catalog.models import (
    Bundle,
    Department,
    Fee,
    ItemVersion,
    LicenceType,
    Material,
    ServiceItem,
)
from onewindow.regions.models import Region

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^SZ-[A-Z]+-(XK|CF|QZ|ZS|JF|JC|QR|JL|CJ|QT|GG)-\d{4}$")


@pytest.fixture
def loaded():
    demo.load()


def test_demo_loads_a_real_sized_catalogue(loaded):
    assert Region.objects.filter(code="341300", level="city").exists()
    current = ItemVersion.objects.filter(is_current=True)
    assert current.count() >= 150
    assert Department.objects.count() >= 42
    assert current.values("item__department").distinct().count() >= 40
    assert Bundle.objects.count() >= 3
    assert LicenceType.objects.count() >= 20
    names = set(current.values_list("name", flat=True))
    for expected in ["食品经营许可", "建筑工程施工许可证核发", "居民身份证换领", "社会保障卡申领", "失业保险金申领",
                     "企业设立登记", "药品零售企业经营许可", "道路货物运输经营许可", "取水许可", "医师执业注册",
                     "内地居民结婚登记", "残疾人证办理（新办）", "出生医学证明办理"]:
        assert expected in names, expected
    assert any(n.startswith("住房公积金提取") for n in names)
    assert any(n.startswith("不动产转移登记") for n in names)
    assert any(n.startswith("户口迁移") for n in names)


def test_demo_items_are_consistent(loaded):
    for v in ItemVersion.objects.select_related("item"):
        assert CODE.match(v.item.code), v.item.code
        assert v.item.code.startswith(v.item.department.code + "-")
        assert v.committed_days <= v.statutory_days, v.name
        assert 0 <= v.max_visits <= 2
        assert v.legal_basis and v.conditions and v.process_steps and v.responsibilities and v.accountability
        assert 1 <= v.materials.count() <= 8, v.name
    for m in Material.objects.all():
        assert m.code and m.name
    assert Material.objects.filter(licence_type__code="JMSFZ").exists()
    # Most items are free; the real fees carry their legal basis.
    assert Fee.objects.count() < ItemVersion.objects.count() / 4
    assert all(f.basis for f in Fee.objects.all())
    transfer = ItemVersion.objects.get(name="不动产转移登记（存量房买卖）")
    assert any("2559号" in f.basis for f in transfer.fees.all())
    assert ItemVersion.objects.filter(committed_days=0).count() >= 30  # 即办件
    assert Department.objects.filter(stationed=False).exists()


def test_second_load_creates_no_new_versions(loaded):
    counts = (ServiceItem.objects.count(), ItemVersion.objects.count(), Material.objects.count(),
              Fee.objects.count(), Bundle.objects.count(), AuditEntry.objects.count())
    out = io.StringIO()
    changed = demo.load(stdout=out)
    assert changed == {"departments": 0, "licence_types": 0, "items": 0, "bundles": 0, "vocabulary": 0}
    assert counts == (ServiceItem.objects.count(), ItemVersion.objects.count(), Material.objects.count(),
                      Fee.objects.count(), Bundle.objects.count(), AuditEntry.objects.count())
    assert not ItemVersion.objects.filter(version__gt=1).exists()
    assert "0 created or changed" in out.getvalue()


def test_bundles(loaded):
    kbqy = Bundle.objects.get(code="YJS-KBQY")
    assert kbqy.name == "开办企业一件事" and kbqy.issues_uscc
    assert kbqy.lead_department.code == "SZ-SCJG"
    names = [bi.item.current.name for bi in kbqy.bundle_items.select_related("item")]
    assert names[0] == "企业设立登记" and "印章刻制备案" in names and "单位住房公积金缴存登记" in names
    transfer = Bundle.objects.get(name="不动产转移登记一件事")
    assert not transfer.issues_uscc
    assert {"契税申报", "电力过户", "用水过户", "燃气过户"} <= {i.current.name for i in transfer.items.all()}
    birth = Bundle.objects.get(name="新生儿出生一件事")
    assert {"出生医学证明办理", "出生登记", "社会保障卡申领"} <= {i.current.name for i in birth.items.all()}


def test_fill_catalogue_reaches_the_total_and_marks_synthetic_items(loaded):
    real = current_count()
    added = fill_catalogue(total=real + 40, progress=False)
    assert added == 40 and current_count() == real + 40
    gen = ServiceItem.objects.filter(code__startswith="GEN-")
    assert gen.count() == 40
    for item in gen:
        v = item.current
        assert v.committed_days <= v.statutory_days and v.materials.exists()
    assert fill_catalogue(total=real + 40, progress=False) == 0
    out = io.StringIO()
    call_command("generate_items", "--total", str(real + 45), "--no-progress", stdout=out)
    assert current_count() == real + 45
    assert "added 5" in out.getvalue()


def test_variant_names():
    assert variant_name("食品经营许可", "变更") == "食品经营许可（变更）"
    assert variant_name("住房公积金提取（租房）", "跨省通办") == "住房公积金提取（租房·跨省通办）"
