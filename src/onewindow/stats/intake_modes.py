"""Statistics of the national intake modes, added to /stats/summary under their own keys.

Counted live from the cases and the intake records (one aggregate query each side), for the cases
accepted (容缺, 告知承诺) or concluded (verification) in the period:

* `deferrals`, `deferral_share` (of the cases accepted), `makeups_on_time` (cleared by the deadline),
  `makeups_late`, `terminated`;
* `commitments` (告知承诺 cases accepted), `verified` (verification closed), `verified_false`, `revoked`;
* 收受分离: `received_for_elsewhere` (received in the region, handled by a department outside it) and
  `handled_from_elsewhere` (handled by a department of the region, received outside it).
"""

from django.db.models import Count, F, Q

from onewindow.cases.models import Case, State
from onewindow.intake.models import VerificationState
from onewindow.regions.selectors import region_prefix

from .selectors import _department_filter, _item_filter


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def intake_summary(date_from, date_to, region=None, department=None, item=None) -> dict:
    base = Case.objects.filter(_department_filter(department) & _item_filter(item))
    received_here = Q(region_code__startswith=region_prefix(str(region))) if region else Q()
    handled_here = Q(department__region__code__startswith=region_prefix(str(region))) if region else Q()
    accepted = Q(accepted_on__gte=date_from, accepted_on__lte=date_to)
    concluded = Q(concluded_on__gte=date_from, concluded_on__lte=date_to)
    mine = base.filter(received_here)
    # Each count is driven by what is rare (the intake records, two end states) so that a year at a
    # million cases reads indexes and a few rows, not every case of the period.
    deferred = mine.filter(accepted, deferral__isnull=False).aggregate(
        deferrals=Count("pk"),
        on_time=Count("pk", filter=Q(deferral__cleared_on__lte=F("deferral__makeup_due"))),
        late=Count("pk", filter=Q(deferral__cleared_on__gt=F("deferral__makeup_due"))),
    )
    committed = mine.filter(commitment__isnull=False).filter(accepted | concluded).aggregate(
        commitments=Count("pk", filter=accepted),
        verified=Count("pk", filter=concluded & Q(commitment__verification_state__in=[
            VerificationState.CONFIRMED, VerificationState.FALSE])),
        verified_false=Count("pk", filter=concluded & Q(commitment__verification_state=VerificationState.FALSE)),
    )
    row = {
        **deferred, **committed,
        "accepted": mine.filter(accepted).count(),
        "terminated": mine.filter(accepted, state=State.TERMINATED).count(),
        "revoked": mine.filter(concluded, state=State.REVOKED).count(),
    }
    out = {
        "deferrals": row["deferrals"],
        "deferral_share": _share(row["deferrals"], row["accepted"]),
        "makeups_on_time": row["on_time"],
        "makeups_late": row["late"],
        "makeup_on_time_rate": _share(row["on_time"], row["on_time"] + row["late"]),
        "terminated": row["terminated"],
        "commitments": row["commitments"],
        "verified": row["verified"],
        "verified_false": row["verified_false"],
        "revoked": row["revoked"],
    }
    received = Q(accepted_on__gte=date_from, accepted_on__lte=date_to)
    if region:
        out["received_for_elsewhere"] = base.filter(received, received_here).exclude(handled_here).count()
        out["handled_from_elsewhere"] = base.filter(received, handled_here).exclude(received_here).count()
    else:
        # Without a region: cases whose receiving site lies outside the handling department's division.
        out["received_for_elsewhere"] = out["handled_from_elsewhere"] = None
    return out
