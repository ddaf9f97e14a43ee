"""Ratings demo: rate each concluded or delivered demo case once (5, 2, 4, … in turn, so that one
差评 opens a rectification). The applicant rates online when the demo user exists, else window1
rates at the window on their behalf. Idempotent: rated cases are skipped.
"""

from django.db import transaction

from onewindow.accounts.models import Role, User
from onewindow.cases.models import Case
from onewindow.core.errors import ServiceError

from . import services
from .models import Rating

LEVELS = [5, 2, 4]
COMMENTS = {5: "一次办成，窗口服务热情", 4: "办理顺利", 2: "等候时间较长，材料说明不够清楚"}


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text + "\n")


def load(stdout=None) -> int:
    cases = list(Case.objects.filter(data__demo=True, state__in=["concluded", "delivered"])
                 .exclude(pk__in=Rating.objects.values("case_id")).order_by("number"))
    if not cases:
        _say(stdout, "  ratings: nothing to rate")
        return 0
    clerk = User.objects.filter(username="window1", role=Role.CLERK).first()
    done = Rating.objects.filter(case__data__demo=True).count()
    created = 0
    for case in cases:
        level = LEVELS[(done + created) % len(LEVELS)]
        rater = User.objects.filter(role=Role.APPLICANT, id_number=case.applicant_id).order_by("pk").first()
        actor = rater if rater is not None else clerk
        if actor is None:
            continue
        try:
            with transaction.atomic():
                services.rate_case(case.number, actor, level, comment=COMMENTS[level])
        except ServiceError as exc:
            _say(stdout, f"  ratings: {case.number} skipped ({exc.message})")
            continue
        created += 1
    _say(stdout, f"  ratings: {created} demo ratings")
    return created
