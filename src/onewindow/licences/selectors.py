"""Reads of the licences app: which licences a holder has, lookups by number or code."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.core.precompiled import Precompiled

from .identifiers import normalize_identifier
from .models import EnterpriseRegistration, Licence, LicenceStatus


def _holder_key(holder_id) -> str:
    return normalize_identifier(holder_id)


def valid_licences(*, today: datetime.date | None = None) -> QuerySet[Licence]:
    """Licences in force on `today` (default: today in Asia/Shanghai): status valid, not past valid_until."""
    today = today or timezone.localdate()
    return Licence.objects.filter(status=LicenceStatus.VALID).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def licences_of_holder(holder_id: str, *, today: datetime.date | None = None) -> QuerySet[Licence]:
    """The holder's licences in force (revoked, expired and past-date ones excluded)."""
    return valid_licences(today=today).filter(holder_id=_holder_key(holder_id)).select_related(
        "licence_type", "department"
    )


_HELD = Precompiled(Licence)


def licences_held(holder_id: str) -> list[Licence]:
    """licences_of_holder(holder_id) as a list, its SQL compiled once (core.precompiled): filing reads it
    for every application whose item accepts an e-licence for a material (免提交)."""
    today, key = timezone.localdate(), _holder_key(holder_id)
    return _HELD.run((), [LicenceStatus.VALID, today, key], lambda: licences_of_holder(holder_id, today=today))


def licence_types_held(holder_id: str, *, today: datetime.date | None = None) -> set[str]:
    """Codes of the licence types the holder has a licence in force for."""
    return set(
        valid_licences(today=today)
        .filter(holder_id=_holder_key(holder_id))
        .values_list("licence_type__code", flat=True)
        .distinct()
    )


def holder_has_licence(holder_id: str, licence_type_code: str, *, today: datetime.date | None = None) -> bool:
    return valid_licences(today=today).filter(
        holder_id=_holder_key(holder_id), licence_type__code=licence_type_code
    ).exists()


def find_licence(
    *,
    number: str | None = None,
    licence_type: str | None = None,
    holder_id: str | None = None,
    valid_only: bool = False,
) -> Licence | None:
    """One licence by number (and type code, since numbers are unique per type), or the newest
    licence of a holder and type. None when nothing matches."""
    qs = valid_licences() if valid_only else Licence.objects.all()
    if number:
        qs = qs.filter(number=number.strip())
    if licence_type:
        qs = qs.filter(licence_type__code=getattr(licence_type, "code", licence_type))
    if holder_id:
        qs = qs.filter(holder_id=_holder_key(holder_id))
    if not (number or holder_id):
        return None
    return qs.select_related("licence_type", "department").order_by("-issued_on", "-id").first()


def licences_of_case(case_number: str) -> QuerySet[Licence]:
    return Licence.objects.filter(case_number=case_number).select_related("licence_type")


def registration_by_uscc(uscc: str) -> EnterpriseRegistration | None:
    return EnterpriseRegistration.objects.filter(uscc=_holder_key(uscc)).select_related("licence").first()


def registration_of_case(case_number: str) -> EnterpriseRegistration | None:
    return EnterpriseRegistration.objects.filter(case_number=case_number).select_related("licence").first()
