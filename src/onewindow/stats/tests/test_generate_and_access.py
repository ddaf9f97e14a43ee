"""The generator, and who may read statistics (page, export, API)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, NumberSequence
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.ratings.models import Rating, Rectification

from .world import build

pytestmark = pytest.mark.django_db


def test_generate_200_cases_unique_numbers_and_later_filing_continues():
    w = make_world()
    call_command("generate", cases=200, days=60, seed=7, batch=64, verbosity=0, stdout=io.StringIO())
    gen = Case.objects.filter(data__generated=True)
    assert gen.count() == 200 == Case.objects.count()
    numbers = list(gen.values_list("number", flat=True))
    assert len(set(numbers)) == 200 and all(len(n) == 20 for n in numbers)
    # every case has its "file" event first, and concluded ones a "decide" event
    assert CaseEvent.objects.filter(action="file").count() == 200
    assert CaseEvent.objects.filter(action="decide").count() == gen.filter(
        state__in=["concluded", "delivered"]).count()
    # concluded cases: actual working days consistent with the calendar (ordinals) and suspension
    from onewindow.workdays.selectors import workdays_between
    for c in gen.filter(state__in=["concluded", "delivered"])[:30]:
        assert c.actual_workdays == workdays_between(c.accepted_on, c.concluded_on) - c.suspended_workdays
    # a real filing on a generated day at the city centre gets the next number after the generated ones
    city = [n for n in numbers if n.startswith("341300")]
    assert city, "the centre (the only site with clerks) receives window cases"
    day = max(n[6:14] for n in city)
    top = max(int(n[14:]) for n in city if n[6:14] == day)
    d = datetime.date(int(day[:4]), int(day[4:6]), int(day[6:]))
    assert NumberSequence.objects.get(scope="341300", day=d).value == top
    with at(d.year, d.month, d.day, 12):
        case = services.file_case(item=w.item.item.code, applicant=person(), channel="window",
                                  materials=["M01", "M02", "M03"], actor=w.clerk)
    assert case.number == f"341300{day}{top + 1:06d}"


def test_generate_300_cases_rates_concluded_cases_and_opens_rectifications():
    make_world()
    call_command("generate", cases=300, days=120, seed=11, verbosity=0, stdout=io.StringIO())
    ratings = Rating.objects.select_related("case")
    assert ratings.count() > 0
    for r in ratings:
        assert r.case.state in ("concluded", "delivered")
        assert r.department_id == r.case.department_id and r.region_code == r.case.region_code
        assert r.channel == ("online" if r.case.channel == "online" else "window")
    # exactly the 差评 (levels 1–2) have a rectification, owned by the case's department
    bad = ratings.filter(level__lte=2)
    assert bad.count() > 0
    assert set(Rectification.objects.values_list("rating_id", flat=True)) == set(bad.values_list("pk", flat=True))
    for rect in Rectification.objects.select_related("rating"):
        assert rect.department_id == rect.rating.department_id and rect.due_date > rect.opened_on
        assert (rect.status == "open") == (rect.closed_at is None)


def test_generated_stories_follow_the_transition_table_and_ids_pass_the_check():
    from onewindow.cases.transitions import PREVIOUS, TRANSITIONS
    from onewindow.licences.identifiers import validate_id_number

    make_world()
    call_command("generate", cases=400, days=90, seed=3, verbosity=0, stdout=io.StringIO())
    seen = set()
    cases = {c.pk: c for c in Case.objects.all()}
    events: dict[int, list] = {}
    for e in CaseEvent.objects.order_by("case_id", "seq"):
        events.setdefault(e.case_id, []).append(e)
    for pk, case in cases.items():
        chain = events[pk]
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert (chain[0].action, chain[0].from_state, chain[0].to_state) == ("file", "", "submitted")
        for before, e in zip(chain, chain[1:], strict=False):
            t = TRANSITIONS[e.action]
            assert e.from_state == before.to_state and e.from_state in t.sources, (case.number, e.action)
            if t.target == PREVIOUS:  # resume: back to where the suspend event started
                suspend = next(x for x in reversed(chain[:e.seq - 1]) if x.action == "suspend")
                assert e.to_state == suspend.from_state
            else:
                assert e.to_state == t.target
            if e.actor_role != "system":
                assert e.actor_role in t.roles, (e.action, e.actor_role)
            seen.add(e.action)
        assert chain[-1].to_state == case.state
        assert validate_id_number(case.applicant_id) == case.applicant_id
    # the stories exercise the table, not just the happy path
    assert {"accept", "decide", "deliver", "notice", "supplement", "review"} <= seen


def test_generate_rejects_bad_arguments():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate", cases=0, verbosity=0)


@pytest.fixture
def w():
    return build()


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_api_permissions_and_scope(w):
    url = "/api/v1/stats/summary?from=2026-03-01&to=2026-03-31"
    assert _client().get(url).status_code == 401
    r = _client(w.clerk).get(url)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = _client(w.admin).get(url)
    assert r.status_code == 200
    body = r.json()
    # the same hand-worked March figures as test_summary
    assert (body["received"], body["accepted"], body["concluded"]) == (8, 6, 5)
    assert body["completion_rate"] == 0.8333 and body["on_time_rate"] == 0.6
    assert body["avg_committed_days"] == 4.17 and body["avg_actual_days"] == 4.2
    assert body["satisfaction_rate"] is None
    # county supervisor (341302): defaults to their county; another region is refused
    r = _client(w.county_sup).get(url)
    assert r.status_code == 200 and r.json()["received"] == 1
    r = _client(w.county_sup).get(url + "&region=341300")
    assert r.status_code == 403 and "region" in r.json()["error"]["fields"]
    # the city supervisor may look at the county
    assert _client(w.supervisor).get(url + "&region=341302").json()["received"] == 1


def test_api_bad_input_names_the_field(w):
    c = _client(w.admin)
    r = c.get("/api/v1/stats/summary?from=2026-13-01&to=2026-03-31")
    assert r.status_code == 400 and "from" in r.json()["error"]["fields"]
    r = c.get("/api/v1/stats/summary?from=2026-03-01&to=yesterday")
    assert r.status_code == 400 and "to" in r.json()["error"]["fields"]
    r = c.get("/api/v1/stats/summary?from=2026-04-01&to=2026-03-01")
    assert r.status_code == 400 and "from" in r.json()["error"]["fields"]
    r = c.get("/api/v1/stats/summary?from=2026-03-01&to=2026-03-31&region=abc")
    assert r.status_code == 400 and "region" in r.json()["error"]["fields"]
    r = c.get("/api/v1/stats/ranking?month=2026-3-x")
    assert r.status_code == 400 and "month" in r.json()["error"]["fields"]
    # dates at the edges of what Python can add a day to: refused with the field, not a 500
    for query, field in (("from=9999-12-01&to=9999-12-31", "from"), ("from=0001-01-01&to=0001-01-02", "from"),
                         ("from=2026-03-01&to=2100-01-01", "to")):
        r = c.get(f"/api/v1/stats/summary?{query}")
        assert r.status_code == 400 and r.json()["error"]["fields"] == {field: "日期应在 2000 至 2099 年之间"}
    r = c.get("/api/v1/stats/ranking?month=9999-11")
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"month": "日期应在 2000 至 2099 年之间"}
    assert c.get("/stats/?from=9999-12-01&to=9999-12-31").status_code == 400


def test_page_permissions_and_content(w):
    r = _client().get("/stats/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert _client(w.clerk).get("/stats/").status_code == 403
    r = _client(w.supervisor).get("/stats/?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200
    html = r.content.decode()
    assert "echarts.min.js" in html and "末位" in html
    assert _client(w.county_sup).get("/stats/?region=341300").status_code == 403
    r = _client(w.admin).get("/stats/?from=bad")
    assert r.status_code == 400
    html = r.content.decode()
    assert "日期格式无效" in html and "from：应为日期 YYYY-MM-DD" in html and "{'from'" not in html
    r = _client(w.admin).get("/stats/export.xlsx?from=2026-03-31&to=2026-03-01", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "Back to statistics" in r.content.decode()


def test_excel_export(w):
    from openpyxl import load_workbook

    r = _client(w.admin).get("/stats/export.xlsx?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    summary = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(values_only=True)}
    assert summary["收件量"] == 8 and summary["办结率"] == 0.8333
    ranking = list(wb.worksheets[1].iter_rows(values_only=True))
    assert ranking[1][1] == "市市场监督管理局" and ranking[2][1] == "市公安局" and ranking[2][-1] == "末位"


def test_excel_export_is_formatted_for_people(w):
    """Rates as percentages, readable widths, a frozen header, clerks by name (not username)."""
    from openpyxl import load_workbook

    w.clerk.display_name = "王窗口"
    w.clerk.save(update_fields=["display_name"])  # tclerk keeps no display name: shown by username
    r = _client(w.admin).get("/stats/export.xlsx?from=2026-03-01&to=2026-03-31")
    wb = load_workbook(io.BytesIO(r.content))
    summary = wb.worksheets[0]
    cells = {row[0].value: row[1] for row in summary.iter_rows()}
    assert cells["办结率"].value == 0.8333 and cells["办结率"].number_format == "0.0%"
    assert cells["按时办结率"].number_format == "0.0%" and cells["收件量"].number_format == "General"
    assert summary.column_dimensions["A"].width >= 20
    people = wb.worksheets[3]
    assert people.title == "人员绩效排名" and people.freeze_panes == "A2"
    header = [c.value for c in people[1]]
    names = {row[header.index("名称")] for row in people.iter_rows(min_row=2, values_only=True)}
    assert names == {"王窗口", "tclerk"}, names
    assert "clerk" not in names
    rate_col = header.index("按时办结率") + 1
    assert all(people.cell(row=i, column=rate_col).number_format == "0.0%"
               for i in range(2, people.max_row + 1) if people.cell(row=i, column=rate_col).value is not None)
    assert people.column_dimensions["B"].width == 30


def test_non_ascii_digit_department_is_not_a_500(w):
    # "²".isdigit() is True but int("²") fails: the filter must treat it as an (unknown) code.
    r = _client(w.admin).get("/api/v1/stats/summary?from=2026-03-01&to=2026-03-31&department=²")
    assert r.status_code < 500
    if r.status_code == 200:
        assert r.json()["received"] == 0
