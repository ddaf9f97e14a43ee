import pytest

from onewindow.audit.models import AuditEntry
from onewindow.core.errors import ServiceError
from onewindow.regions import services
from onewindow.regions.models import Region

pytestmark = pytest.mark.django_db


def test_load_counts_and_parents():
    result = services.load_regions()
    # 1 province + 1 city + 5 counties + 2 zones + 122 town rows (120 in counties, 2 in zones)
    assert result.created == 131
    assert Region.objects.count() == 131

    province = Region.objects.get(code="340000")
    assert (province.name, province.level, province.parent_id) == ("安徽省", "province", None)
    city = Region.objects.get(code="341300")
    assert (city.name, city.level, city.parent_id) == ("宿州市", "city", "340000")

    counties = Region.objects.filter(level="county")
    assert sorted(counties.values_list("code", flat=True)) == [
        "341302",
        "341321",
        "341322",
        "341323",
        "341324",
    ]
    assert set(counties.values_list("parent_id", flat=True)) == {"341300"}
    zones = Region.objects.filter(level="zone")
    assert sorted(zones.values_list("name", flat=True)) == ["宿州经济技术开发区", "宿州马鞍山现代产业园区"]
    assert set(zones.values_list("parent_id", flat=True)) == {"341300"}

    towns = Region.objects.filter(level="town")
    assert towns.count() == 122
    assert towns.filter(parent__level="county").count() == 120
    assert all(len(c) == 9 and c.isdigit() for c in towns.values_list("code", flat=True))
    assert all(t.code[:6] == t.parent_id for t in towns)
    bianhe = Region.objects.get(name="汴河街道")
    assert (bianhe.code, bianhe.parent_id) == ("341302009", "341302")
    assert Region.objects.get(code="341372001").name == "金海街道"
    # 埇桥区 has 38 town-level rows, 砀山县 16
    assert towns.filter(parent_id="341302").count() == 38
    assert towns.filter(parent_id="341321").count() == 16


def test_load_is_idempotent_and_audited_once():
    services.load_regions()
    assert AuditEntry.objects.filter(action="regions.load").count() == 1
    again = services.load_regions()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 131)
    assert Region.objects.count() == 131
    assert AuditEntry.objects.filter(action="regions.load").count() == 1


def test_reload_repairs_a_changed_row():
    services.load_regions()
    Region.objects.filter(code="341302009").update(name="改错的名字", parent_id="341321")
    result = services.load_regions()
    assert (result.created, result.updated) == (0, 1)
    town = Region.objects.get(code="341302009")
    assert (town.name, town.parent_id) == ("汴河街道", "341302")


def _write(tmp_path, text):
    p = tmp_path / "r.csv"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "body",
    [
        "341300,宿州市,metropolis,340000\n",  # unknown level
        "34130,宿州市,city,340000\n",  # code too short
        "341300,宿州市,city,340000\n341302001,埇桥街道,town,341399\n",  # parent missing
        "341300,宿州市,city,340000\n341300,宿州市,city,340000\n",  # duplicate
        "341300,,city,340000\n",  # empty name
        "341302001,埇桥街道,county,341300\n",  # 9 digits at county level
    ],
)
def test_bad_file_is_refused_and_writes_nothing(tmp_path, body):
    path = _write(tmp_path, "code,name,level,parent\n" + body)
    with pytest.raises(ServiceError):
        services.load_regions(path)
    assert Region.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_missing_columns_and_missing_file(tmp_path):
    with pytest.raises(ServiceError):
        services.load_regions(_write(tmp_path, "code,name\n341300,宿州市\n"))
    with pytest.raises(ServiceError):
        services.load_regions(tmp_path / "nope.csv")
    assert Region.objects.count() == 0


def test_small_custom_file(tmp_path):
    path = _write(
        tmp_path, "code,name,level,parent\n341300,宿州市,city,340000\n341302,埇桥区,county,341300\n"
    )
    result = services.load_regions(path)
    assert result.created == 3  # with the province row
    assert Region.objects.get(code="341302").parent.parent.code == "340000"
