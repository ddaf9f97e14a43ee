"""The cases demo: filed through the services, in the planned states, idempotent."""

import pytest

from onewindow.accounts import demo as accounts_demo
from onewindow.accounts.models import User
from onewindow.cases import demo as cases_demo
from onewindow.cases.models import BundleFiling, Case, CaseEvent, Notice
from onewindow.catalog import demo as catalog_demo
from onewindow.regions import demo as regions_demo
from onewindow.workdays import demo as workdays_demo


@pytest.mark.django_db
def test_demo_without_catalogue_or_users_does_nothing():
    assert cases_demo.load() == 0
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_demo_load_twice_gives_the_same_cases(client):
    workdays_demo.load()
    regions_demo.load()
    catalog_demo.load()
    accounts_demo.load()
    created = cases_demo.load()
    count, events = Case.objects.count(), CaseEvent.objects.count()
    assert count == created and count >= 12
    states = {}
    for state in Case.objects.filter(bundle_filing=None).values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    assert states == {"submitted": 2, "pending_materials": 2, "accepted": 3, "reviewed": 2, "concluded": 1,
                      "delivered": 1, "suspended": 1}
    assert set(Case.objects.filter(bundle_filing=None).values_list("department__name", flat=True)) == {
        User.objects.get(username="reviewer1").department.name}
    assert set(Case.objects.values_list("site__code", flat=True)) == {"SZ-CENTRE"}
    assert Notice.objects.filter(case__state="pending_materials").count() == 2
    bundles = BundleFiling.objects.count()
    assert bundles == 1 and Case.objects.filter(bundle_filing__isnull=False).count() == count - 12

    assert cases_demo.load() == 0
    assert (Case.objects.count(), CaseEvent.objects.count(), BundleFiling.objects.count()) == (count, events, 1)

    # the desk of reviewer1 and the window of window1 are not empty
    client.login(username="reviewer1", password="demo12345")
    html = client.get("/desk/").content.decode()
    assert html.count('href="/cases/') >= 4  # three accepted and the suspended one
    client.login(username="window1", password="demo12345")
    html = client.get("/window/").content.decode()
    assert html.count('href="/cases/') >= 5  # submitted, pending, concluded
