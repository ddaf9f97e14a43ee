"""`onewindow generate --cases N [--days 365] [--seed S] [--batch 5000]`: synthetic past cases in bulk.

The rows look like what `cases.services` would have written (numbers, due dates from the working-day
calendar, actual working days, one CaseEvent per state change, materials), but are inserted with
plain-row inserts (core.bulk; COPY on PostgreSQL) in batches, each batch in one transaction that also raises the NumberSequence rows it
used to the highest number drawn, so later real filings continue after them. Every generated case
carries data={"generated": True}. About 40 % of the concluded cases get a 好差评 Rating (channel from the
case's channel, department and region_code from the case); each 差评 (level 1–2) gets its Rectification,
as ratings.services.rate_case would open it. No audit entries are written: nothing was actually done.

Each case's story is a sequence of actions walked through the declared state machine
(cases.transitions): a step is taken only from a state the action allows, by a role allowed to take it,
and leads to the state the table names (`_Story`); the generator has no state table of its own.
ID numbers carry the GB 11643 check character from licences.identifiers.
"""

import datetime
import json
import math
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    MaterialStatus,
    NumberSequence,
    State,
)
from onewindow.cases.numbering import QUERY_ALPHABET
from onewindow.cases.transitions import PREVIOUS, TRANSITIONS, target_state
from onewindow.catalog.models import ItemVersion, Material
from onewindow.core import bulk
from onewindow.licences.identifiers import id_number_check_char
from onewindow.ratings.models import BAD_LEVELS, Rating, RatingChannel, Rectification, RectificationStatus
from onewindow.ratings.services import rectification_days
from onewindow.regions.models import Site, SiteKind, SiteLevel
from onewindow.stats import rollup
from onewindow.workdays.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅鑫斌宇浩凯健俊帆帅旭宁龙林欣晨辰悦佳怡思雨子涵"
WEEKDAY_WEIGHT = [1.25, 1.05, 1.0, 1.0, 0.95, 0.12, 0.08]


def id_number(rng: random.Random, region: str, birth: datetime.date) -> str:
    body = f"{region[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_number_check_char(body)


class _Story:
    """One case's events, each step checked against and moved by the transition table."""

    def __init__(self, case: Case):
        self.case = case
        self.events: list[tuple] = []

    def _add(self, at, action, frm, to, actor, data):
        actor = actor or {}
        self.events.append((at, action, frm, to, actor.get("pk"),
                            actor.get("display_name") or actor.get("username") or "system",
                            actor.get("role") or "system", data))

    def file(self, actor, at, **data) -> None:
        """Filing creates the case (cases.filing): the story's first event, into `submitted`."""
        self.case.state = State.SUBMITTED
        self._add(at, "file", "", State.SUBMITTED, actor, data)

    def step(self, action: str, actor, at, **data) -> str:
        """Take `action` now; returns the new state. Raises when the table does not allow it."""
        case, t = self.case, TRANSITIONS[action]
        frm = case.state
        if frm not in t.sources:
            raise RuntimeError(f"generator story: {action} is not allowed from {frm}")
        if actor and actor["role"] not in t.roles:
            raise RuntimeError(f"generator story: {actor['role']} may not {action}")
        case.state = target_state(action, frm, case.state_before_suspension)
        if t.target == PREVIOUS:
            case.state_before_suspension = ""
        self._add(at, action, frm, case.state, actor, data)
        return case.state


class Command(BaseCommand):
    help = "Add N synthetic past cases (bulk, with progress bar) for load and scale work."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, cases, days, seed, batch, **opts):
        from tqdm import tqdm

        if cases <= 0 or days <= 0 or batch <= 0:
            raise CommandError("--cases, --days and --batch must be positive")
        self.rng = random.Random(seed)
        self._load(days)
        started = timezone.now()
        done = 0
        with tqdm(total=cases, unit="case", disable=opts.get("verbosity", 1) == 0) as bar:
            while done < cases:
                n = min(batch, cases - done)
                self._batch(n)
                done += n
                bar.update(n)
        secs = max((timezone.now() - started).total_seconds(), 1e-6)
        self.stdout.write(f"generated {cases} cases in {secs:.1f}s ({cases / secs:.0f} cases/s)")
        rollup.ensure_fresh()  # the summary's daily rollup (stats.rollup) covers the new days

    # ------------------------------------------------------------ reference data, loaded once

    def _load(self, days):
        rng = self.rng
        self.today = timezone.localdate()
        first = self.today - datetime.timedelta(days=days)
        cal = list(CalendarDay.objects.filter(date__gte=first - datetime.timedelta(days=10))
                   .values_list("date", "ordinal", "is_workday"))
        if not cal:
            raise CommandError("the working-day calendar is empty; run `onewindow demo` or migrate first")
        self.ordinal = {d: o for d, o, _ in cal}
        self.by_ordinal = {o: d for d, o, w in cal if w}
        self.max_ordinal = max(self.by_ordinal)
        versions = list(
            ItemVersion.objects.filter(is_current=True, status="published")
            .select_related("item")
            .values("pk", "item_id", "item__department_id", "item__department__region_id", "committed_days",
                    "statutory_days", "window_decides", "online_depth")
        )
        if not versions:
            raise CommandError("no published items; load the catalogue first (onewindow demo)")
        rng.shuffle(versions)
        self.versions = versions
        self.version_weights = list(_cumulative([1 / (r + 1) ** 1.07 for r in range(len(versions))]))
        self.materials = defaultdict(list)
        for vid, code, name, required in Material.objects.filter(version__in=[v["pk"] for v in versions]).values_list(
                "version_id", "code", "name", "required"):
            self.materials[vid].append((code, name, required))
        depts = {v["item__department_id"] for v in versions}
        self.speed = {d: rng.uniform(0.25, 0.9) for d in depts}
        staff = defaultdict(list)
        for u in User.objects.filter(role__in=[Role.CLERK, Role.REVIEWER, Role.APPROVER], is_active=True).values(
                "pk", "username", "display_name", "role", "department_id", "site_id", "window_id"):
            if u["role"] == Role.CLERK and u["site_id"]:
                staff[("clerk", u["site_id"])].append(u)
            elif u["department_id"]:
                staff[(u["role"], u["department_id"])].append(u)
        self.staff = staff
        sites = list(Site.objects.filter(kind__in=[SiteKind.CENTRE, "convenience"]).values("pk", "region_id", "level"))
        if not sites:
            raise CommandError("no service sites; load the network first (onewindow demo)")
        with_clerks = [s for s in sites if staff.get(("clerk", s["pk"]))] or sites
        self.window_sites = with_clerks
        self.window_site_weights = list(_cumulative([
            {SiteLevel.CITY: 20, "county": 5}.get(s["level"], 1) for s in with_clerks]))
        centres = {s["region_id"]: s for s in sites if s["level"] in (SiteLevel.CITY, "county")}
        city = next((s for s in sites if s["level"] == SiteLevel.CITY), sites[0])
        self.online_site = lambda region: centres.get(region, city)
        # arrival days: weekday pattern, working-day calendar and a seasonal wave (peaks in spring)
        day_list, weights = [], []
        for k in range(1, days + 1):
            d = self.today - datetime.timedelta(days=k)
            if d not in self.ordinal:
                continue
            w = WEEKDAY_WEIGHT[d.weekday()]
            if d.weekday() < 5 and not self._is_workday(d):
                w = 0.08  # public holiday
            elif d.weekday() >= 5 and self._is_workday(d):
                w = 1.0  # make-up workday
            w *= 1 + 0.2 * math.cos(2 * math.pi * (d.timetuple().tm_yday - 80) / 365)
            day_list.append(d)
            weights.append(w)
        if not day_list:
            raise CommandError("no calendar days in the requested range")
        self.days, self.day_weights = day_list, list(_cumulative(weights))

    def _is_workday(self, d):
        o = self.ordinal.get(d)
        return o is not None and self.by_ordinal.get(o) == d

    def _add_workdays(self, d, n):
        if n == 0:
            return d
        o = self.ordinal[d] + n
        return self.by_ordinal.get(o) or self.by_ordinal[self.max_ordinal]

    def _next_workday_on_or_after(self, d):
        return d if self._is_workday(d) else self._add_workdays(d, 1)

    def _pick(self, staff_key):
        people = self.staff.get(staff_key)
        return self.rng.choice(people) if people else None

    # ------------------------------------------------------------ one batch

    def _batch(self, n):
        rng = self.rng
        plans = []
        days = rng.choices(self.days, cum_weights=self.day_weights, k=n)
        versions = rng.choices(self.versions, cum_weights=self.version_weights, k=n)
        for day, v in zip(days, versions, strict=True):
            online = v["online_depth"] in ("full", "prereview") and rng.random() < 0.45
            if online:
                site = self.online_site(v["item__department__region_id"])
                channel = Channel.ONLINE
                submitted = datetime.datetime.combine(day, datetime.time(rng.randrange(24), rng.randrange(60)), SH)
            else:
                site = rng.choices(self.window_sites, cum_weights=self.window_site_weights)[0]
                channel = Channel.WINDOW
                minute = rng.randrange(9 * 60, 17 * 60 + 30)
                submitted = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60), SH)
            plan = self._plan(v, site, channel, submitted)
            plan["scope"], plan["day"] = site["region_id"][:6], day
            plans.append(plan)
        with transaction.atomic():
            self._number(plans)
            cases = [p["case"] for p in plans]
            if connection.vendor == "postgresql":
                self._copy_cases(cases)
            else:
                bulk.insert_objects(cases, with_ids=True)
            events, materials, ratings = [], [], []
            for case, p in zip(cases, plans, strict=True):
                for seq, (at, action, frm, to, actor_id, name, role, data) in enumerate(p["events"], start=1):
                    events.append((case.pk, seq, at, action, frm, to, actor_id, name, role, "", json.dumps(data)))
                for code, name, required in self.materials.get(case.item_version_id, ()):
                    materials.append((case.pk, code, name, required, MaterialStatus.PROVIDED.value, "", ""))
                if p["rating"] is not None:
                    ratings.append((case, p["rating"]))
            self._insert(CaseEvent, ["case_id", "seq", "at", "action", "from_state", "to_state", "actor_id",
                                     "actor_name", "actor_role", "note", "data"], events)
            self._insert(CaseMaterial, ["case_id", "code", "name", "required", "status", "licence_number", "note"],
                         materials)
            if ratings:
                self._ratings(ratings)

    def _copy_cases(self, cases):
        """PostgreSQL: reserve ids from the sequence, then COPY the rows (much faster than INSERT)."""
        fields = Case._meta.concrete_fields
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence('cases_case', 'id')) FROM generate_series(1, %s)",
                        [len(cases)])
            ids = [r[0] for r in cur.fetchall()]
        for case, pk in zip(cases, ids, strict=True):
            case.pk = pk
        rows = []
        for case in cases:
            row = []
            for f in fields:
                value = getattr(case, f.attname)
                row.append(json.dumps(value) if f.attname == "data" else value)
            rows.append(row)
        self._copy(Case._meta.db_table, [f.column for f in fields], rows)

    def _copy(self, table, columns, rows):
        with connection.cursor() as cur:
            raw = cur.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def _insert(self, model, attnames, rows):
        if connection.vendor == "postgresql":
            columns = [model._meta.get_field(a[:-3] if a.endswith("_id") else a).column for a in attnames]
            self._copy(model._meta.db_table, columns, rows)
            return
        bulk.insert_rows(model, attnames, rows)

    def _number(self, plans):
        """Draw numbers as numbering.next_number does, a whole batch at once: create the missing
        (scope, day) rows, lock them, continue after their values and store the new highest values.
        Safe next to live filings and other generators, since the rows stay locked until commit."""
        need = defaultdict(int)
        for p in plans:
            need[(p["scope"], p["day"])] += 1
        NumberSequence.objects.bulk_create([NumberSequence(scope=s, day=d, value=0) for s, d in need],
                                           ignore_conflicts=True)
        scopes, days = {s for s, _ in need}, {d for _, d in need}
        rows = {(r.scope, r.day): r for r in NumberSequence.objects.select_for_update().filter(
            scope__in=scopes, day__in=days).order_by("scope", "day") if (r.scope, r.day) in need}
        for p in plans:
            row = rows[(p["scope"], p["day"])]
            row.value += 1
            if row.value > 999_999:
                raise CommandError(f"daily sequence exhausted for {row.scope} {row.day}")
            p["case"].number = f"{row.scope}{row.day:%Y%m%d}{row.value:06d}"
        NumberSequence.objects.bulk_update(list(rows.values()), ["value"], batch_size=5000)

    def _ratings(self, ratings):
        """One Rating per rated case, two hours after conclusion or delivery; a 差评 (level 1–2) opens a
        Rectification due `rectification_days()` working days later, closed by now when long past due."""
        rng, now = self.rng, timezone.now()
        rows = []
        for case, level in ratings:
            when = min((case.delivered_at or case.concluded_at) + datetime.timedelta(hours=2), now)
            rows.append(Rating(
                case_id=case.pk, level=level, rated_at=when, department_id=case.department_id,
                region_code=case.region_code, dimensions={"overall": level},
                channel=RatingChannel.ONLINE if case.channel == Channel.ONLINE else RatingChannel.WINDOW,
            ))
        Rating.objects.bulk_create(rows, batch_size=10000)
        rects = []
        for r in rows:
            if r.level not in BAD_LEVELS:
                continue
            opened = timezone.localtime(r.rated_at, SH).date()
            due = self._add_workdays(opened, rectification_days())
            rect = Rectification(rating_id=r.pk, department_id=r.department_id, opened_on=opened, due_date=due)
            if due < self.today and rng.random() < 0.9:  # most are settled in time; the rest stay overdue
                closed = self._add_workdays(opened, rng.randint(1, rectification_days()))
                rect.status = RectificationStatus.RECTIFIED if rng.random() < 0.85 else RectificationStatus.NOT_RECTIFIED
                rect.closed_at = datetime.datetime.combine(closed, datetime.time(15), SH)
                rect.result = "已回访申请人，问题已整改" if rect.status == RectificationStatus.RECTIFIED else "未能整改"
            rects.append(rect)
        Rectification.objects.bulk_create(rects, batch_size=10000)

    def _plan(self, v, site, channel, submitted):
        rng = self.rng
        dept = v["item__department_id"]
        clerk = self._pick(("clerk", site["pk"]))
        reviewer = self._pick((Role.REVIEWER, dept))
        approver = self._pick((Role.APPROVER, dept))
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20000))
        case = Case(
            number="", query_code="".join(rng.choice(QUERY_ALPHABET) for _ in range(6)),
            item_id=v["item_id"], item_version_id=v["pk"], department_id=dept,
            applicant_kind="person", applicant_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            applicant_id=id_number(rng, "341302", birth), applicant_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            channel=channel, site_id=site["pk"], region_code=site["region_id"],
            window_id=(clerk or {}).get("window_id") if channel == Channel.WINDOW else None,
            filed_by_id=(clerk or {}).get("pk") if channel == Channel.WINDOW else None,
            state=State.SUBMITTED, submitted_at=submitted, committed_days=v["committed_days"],
            statutory_days=v["statutory_days"], data={"generated": True},
        )
        story = _Story(case)
        t = submitted

        def done(rating=None):
            return {"case": case, "events": story.events, "rating": rating}

        story.file(clerk if channel == Channel.WINDOW else None, t, channel=channel)
        today = self.today
        r = rng.random()
        if r < 0.02:
            t += datetime.timedelta(hours=1)
            story.step("withdraw", clerk, t)
            return done()
        if r < 0.04:
            t += datetime.timedelta(minutes=30)
            case.result_reason = "不属于本机关受理范围"
            story.step("reject", clerk, t)
            return done()
        accept_day = self._next_workday_on_or_after(submitted.date())
        if r < 0.12:  # one-time notice, then the applicant supplements within a few working days
            t += datetime.timedelta(minutes=20)
            story.step("notice", clerk, t, notice_seq=1)
            accept_day = self._add_workdays(accept_day, rng.randint(1, 3))
            if accept_day >= today:
                return done()
            t = datetime.datetime.combine(accept_day, datetime.time(9, rng.randrange(60)), SH)
            story.step("supplement", clerk, t)
        if accept_day >= today:
            return done()
        t = max(t + datetime.timedelta(minutes=15), datetime.datetime.combine(accept_day, datetime.time(9, 5), SH))
        due = self._add_workdays(accept_day, v["committed_days"])
        case.accepted_at, case.accepted_on, case.due_date = t, accept_day, due
        case.clerk_id = (clerk or {}).get("pk")
        story.step("accept", clerk, t, due_date=due.isoformat())
        committed = v["committed_days"]
        # how long it takes: the department's speed, noise, some suspensions, ~5 % overdue
        suspended = rng.randint(3, 10) if committed > 0 and rng.random() < 0.03 else 0
        if committed == 0:
            actual = 0 if rng.random() < 0.97 else 1
        elif rng.random() < 0.05:
            actual = committed + rng.randint(1, 4)
        else:
            actual = min(committed, max(0, round(committed * self.speed[case.department_id] * rng.uniform(0.5, 1.3))))
        needs_review = committed > 0 and not v["window_decides"]
        if needs_review:
            review_day = self._add_workdays(accept_day, min(actual, max(1, actual // 2))) if actual else accept_day
            if review_day >= today:
                return done()
            t = max(t + datetime.timedelta(minutes=30), datetime.datetime.combine(review_day, datetime.time(10), SH))
            story.step("review", reviewer, t)
        if suspended:
            s_day = self._add_workdays(accept_day, max(1, actual // 2))
            if s_day >= today:
                return done()
            t = max(t + datetime.timedelta(minutes=30), datetime.datetime.combine(s_day, datetime.time(11), SH))
            # as the suspend handler keeps them: the state to return to and the day the clock stopped
            case.state_before_suspension, case.suspended_on = case.state, s_day
            story.step("suspend", reviewer, t, kind="expert_review")
            resume_day = self._add_workdays(s_day, suspended)
            if resume_day >= today:
                return done()
            t = datetime.datetime.combine(resume_day, datetime.time(9, 30), SH)
            case.due_date = self._add_workdays(due, suspended)
            case.suspended_workdays, case.suspended_on = suspended, None
            story.step("resume", reviewer, t, paused_workdays=suspended, due_date=case.due_date.isoformat())
        end_day = self._add_workdays(accept_day, actual + suspended)
        if end_day >= today:
            return done()
        t = max(t + datetime.timedelta(minutes=30),
                datetime.datetime.combine(end_day, datetime.time(rng.randrange(9, 17), rng.randrange(60)), SH))
        result = "approve" if rng.random() < 0.97 else "deny"
        decider = clerk if (v["window_decides"] or committed == 0) and not approver else approver
        case.result = result
        case.result_reason = "" if result == "approve" else "不符合法定条件"
        case.concluded_at, case.concluded_on, case.actual_workdays = t, end_day, actual
        story.step("decide", decider, t, result=result, actual_workdays=actual)
        if rng.random() < 0.75:
            t += datetime.timedelta(hours=rng.randint(1, 48))
            if t.date() < today:
                case.delivered_at, case.delivery_method = t, rng.choice(["window", "mail", "electronic"])
                story.step("deliver", clerk, t, method=case.delivery_method)
        rating = None
        if rng.random() < 0.4:
            rating = rng.choices([5, 4, 3, 2, 1], weights=[86, 8, 3, 2, 1])[0]
        return done(rating)


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total
