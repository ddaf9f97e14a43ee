"""The hand-built March 2026 data set for the statistics tests (all times Asia/Shanghai).

March 2026 has no public holidays: 1 March is a Sunday, 2 March a Monday.

case  item (committed/statutory)  site     filed / accepted     concluded             actual  due     on time
A     food 5/20   dept            centre   Mon 03-02 / 03-02    Wed 03-04             2       03-09   yes
B     food 5/20   dept            centre   Mon 03-02 / 03-02    Wed 03-11             7       03-09   no
C     instant 0/5 dept            centre   Tue 03-03 / 03-03    Tue 03-03 (delivered) 0       03-03   yes
D     police 10/60 dept2          centre   Wed 03-04 / 03-04    Fri 03-20             12      03-18   no
E     food online (citizen)       centre   Thu 03-05, left submitted
F     food                        centre   Tue 03-31 23:30, left submitted
G     police                      centre   Wed 04-01 00:10, left submitted
H     instant 0/5 dept            station  Fri 03-06 / 03-06    Fri 03-06             0       03-06   yes
I     food 5/20                   centre   Mon 03-30 / 03-30, left accepted (open)
"""

from onewindow.accounts.models import Role, User
from onewindow.cases import services
from onewindow.cases.tests.factories import VALID_ID, at, make_world, person

FOOD = ["M01", "M02", "M03"]


def _file(item, clerk, when, materials):
    with at(*when):
        return services.file_case(item=item.item.code, applicant=person(), channel="window", materials=materials,
                                  actor=clerk)


def build():
    w = make_world()
    w.police_approver = User.objects.create_user("papprover", password="demo12345", role=Role.APPROVER,
                                                 department=w.dept2)
    w.admin = User.objects.create_user("boss", password="demo12345", role=Role.ADMIN)
    w.county_sup = User.objects.create_user("csup", password="demo12345", role=Role.SUPERVISOR, region=w.county)
    cases = {}

    def accept(c, when, clerk=w.clerk):
        with at(*when):
            services.perform(c.number, "accept", clerk, {})

    def review(c, when, who):
        with at(*when):
            services.perform(c.number, "review", who, {"opinion": "同意"})

    def decide(c, when, who):
        with at(*when):
            services.perform(c.number, "decide", who, {"result": "approve", "reason": ""})

    a = cases["A"] = _file(w.item, w.clerk, (2026, 3, 2, 9), FOOD)
    accept(a, (2026, 3, 2, 9, 30))
    review(a, (2026, 3, 3, 10), w.reviewer)
    decide(a, (2026, 3, 4, 10), w.approver)

    b = cases["B"] = _file(w.item, w.clerk, (2026, 3, 2, 10), FOOD)
    accept(b, (2026, 3, 2, 10, 30))
    review(b, (2026, 3, 3, 11), w.reviewer)
    decide(b, (2026, 3, 11, 10), w.approver)

    c = cases["C"] = _file(w.instant, w.clerk, (2026, 3, 3, 9), ["M01"])
    accept(c, (2026, 3, 3, 9, 10))
    decide(c, (2026, 3, 3, 9, 20), w.approver)
    with at(2026, 3, 3, 15):
        services.perform(c.number, "deliver", w.clerk, {"method": "window"})

    d = cases["D"] = _file(w.police_item, w.clerk, (2026, 3, 4, 9), ["M01"])
    accept(d, (2026, 3, 4, 9, 30))
    review(d, (2026, 3, 5, 10), w.police_reviewer)
    decide(d, (2026, 3, 20, 10), w.police_approver)

    with at(2026, 3, 5, 20):
        cases["E"] = services.file_case(item=w.item.item.code, applicant=person(VALID_ID), channel="online",
                                        materials=FOOD, actor=w.citizen)
    cases["F"] = _file(w.item, w.clerk, (2026, 3, 31, 23, 30), FOOD)
    cases["G"] = _file(w.police_item, w.clerk, (2026, 4, 1, 0, 10), ["M01"])

    h = cases["H"] = _file(w.instant, w.station_clerk, (2026, 3, 6, 9), ["M01"])
    accept(h, (2026, 3, 6, 9, 10), clerk=w.station_clerk)
    decide(h, (2026, 3, 6, 11), w.approver)

    i = cases["I"] = _file(w.item, w.clerk, (2026, 3, 30, 9), FOOD)
    accept(i, (2026, 3, 30, 9, 30))

    for case in cases.values():
        case.refresh_from_db()
    w.cases = cases
    return w
