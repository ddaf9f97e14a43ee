import pytest

from onewindow.catalog.models import Department, LicenceType
from onewindow.regions.models import Region


@pytest.fixture
def region(db):
    city, _ = Region.objects.get_or_create(code="341300", defaults={"name": "宿州市", "level": "city"})
    return city


@pytest.fixture
def market_dept(region):
    dept, _ = Department.objects.get_or_create(
        code="SCJG", defaults={"name": "宿州市市场监督管理局", "short_name": "市场监管", "region": region}
    )
    return dept


@pytest.fixture
def food_type(market_dept):
    return LicenceType.objects.create(code="JYXK", name="食品经营许可证", department=market_dept, validity_years=5)
