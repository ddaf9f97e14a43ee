"""Appointments (预约): slots on working days, booking, cancelling, check-in, no-shows and reminders.

Slots are cut from the queue's working-day sessions (or the site's hours) into the site's
slot length, only on working days of the calendar (a holiday has none, a make-up working
day has them). Booking: real-name applicants, up to `booking_horizon_days` working days
ahead and at least `booking_min_hours` before the slot; one booking per person per day;
three no-shows within 30 days block booking for 30 days after the third.
"""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.audit.services import record
from onewindow.catalog.models import ServiceItem
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.portal.notifications import send_sms
from onewindow.workdays.selectors import is_workday, workdays_between

from .models import Appointment, AppointmentState, HallSettings, Queue, SessionDays
from .tickets import get_queue, get_site, issue

HOLDING = (AppointmentState.BOOKED, AppointmentState.CHECKED_IN)
NO_SHOW_LIMIT, NO_SHOW_WINDOW, BLOCK_DAYS = 3, 30, 30
CHECK_IN_EARLY = datetime.timedelta(minutes=30)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hall_settings(site) -> HallSettings:
    return HallSettings.objects.filter(site=site).first() or HallSettings(site=site)


def parse_date(value, field="date") -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        raise ServiceError(_("日期格式无效"), fields={field: _("应为日期（YYYY-MM-DD）")}) from None


def _sessions(queue: Queue) -> list[tuple[datetime.time, datetime.time]]:
    own = [(s.start, s.end) for s in queue.sessions.all() if s.days == SessionDays.WORKDAY]
    if own:
        return own
    site = queue.site
    return [(site.morning_open, site.morning_close), (site.afternoon_open, site.afternoon_close)]


def slot_times(queue: Queue, day: datetime.date) -> list[tuple[datetime.time, datetime.time]]:
    """The (start, end) of each slot of the queue on that day; none on a day off or without capacity."""
    if not queue.slot_capacity or not is_workday(day):
        return []
    step = datetime.timedelta(minutes=hall_settings(queue.site).slot_minutes or 30)
    out = []
    for start, end in _sessions(queue):
        t = datetime.datetime.combine(day, start)
        stop = datetime.datetime.combine(day, end)
        while t + step <= stop:
            out.append((t.time(), (t + step).time()))
            t += step
    return out


def slots(site: str, queue: str, date) -> dict:
    site_obj = get_site(site)
    queue_obj = get_queue(site_obj, queue)
    day = parse_date(date)
    times = slot_times(queue_obj, day)
    taken = dict(Appointment.objects.filter(queue=queue_obj, date=day, state__in=HOLDING)
                 .values("start").annotate(n=Count("id")).values_list("start", "n"))
    cap = queue_obj.slot_capacity
    return {"date": day.isoformat(), "slots": [
        {"start": f"{s:%H:%M}", "end": f"{e:%H:%M}", "capacity": cap, "left": max(cap - taken.get(s, 0), 0)}
        for s, e in times]}


def _local(day: datetime.date, t: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, t))


def blocked_until(id_number: str, today: datetime.date) -> datetime.date | None:
    """The day booking opens again after three no-shows within 30 days, or None when not blocked."""
    dates = list(Appointment.objects.filter(id_number=id_number, state=AppointmentState.NO_SHOW,
                                            date__gte=today - datetime.timedelta(days=NO_SHOW_WINDOW + BLOCK_DAYS),
                                            date__lte=today).order_by("-date").values_list("date", flat=True)[:20])
    for i in range(len(dates) - NO_SHOW_LIMIT + 1):
        if (dates[i] - dates[i + NO_SHOW_LIMIT - 1]).days < NO_SHOW_WINDOW:
            until = dates[i] + datetime.timedelta(days=BLOCK_DAYS)
            return until if today < until else None
    return None


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


@transaction.atomic
def book(actor, *, site: str, queue: str, date, start: str, item: str | None = None) -> Appointment:
    if getattr(actor, "role", None) != Role.APPLICANT:
        raise Forbidden(_("只有申请人可以预约"))
    if not (actor.id_number and actor.display_name):
        raise Forbidden(_("预约需实名：请先在个人资料中填写姓名和身份证号"), code="real_name_required")
    site_obj = get_site(site)
    queue_obj = Queue.objects.select_for_update().filter(pk=get_queue(site_obj, queue).pk).first()  # per-queue lock
    day = parse_date(date)
    now = timezone.now()
    today = timezone.localdate()
    rules = hall_settings(site_obj)
    if day < today:
        raise ServiceError(_("不能预约过去的日期"), fields={"date": _("请选择今天以后的工作日")})
    if not is_workday(day):
        raise ServiceError(_("%(date)s 不是工作日，不开放预约") % {"date": day.isoformat()},
                           fields={"date": _("该日为休息日或节假日")})
    if workdays_between(today, day) > rules.booking_horizon_days:
        raise ServiceError(_("只能预约 %(n)s 个工作日以内的时段") % {"n": rules.booking_horizon_days},
                           fields={"date": _("超出可预约范围")})
    times = dict(slot_times(queue_obj, day))
    try:
        slot_start = datetime.time.fromisoformat(str(start or ""))
    except ValueError:
        slot_start = None
    if slot_start not in times:
        raise ServiceError(_("没有这个预约时段"), fields={"start": _("请从可预约时段中选择")})
    if _local(day, slot_start) - now < datetime.timedelta(hours=rules.booking_min_hours):
        raise ServiceError(_("须至少提前 %(h)s 小时预约") % {"h": rules.booking_min_hours},
                           fields={"start": _("该时段已不能预约")})
    until = blocked_until(actor.id_number, today)
    if until:
        raise Forbidden(_("30 天内爽约 3 次，%(date)s 前暂停预约") % {"date": until.isoformat()},
                        code="booking_blocked", fields={"blocked_until": until.isoformat()})
    item_obj = None
    if item:
        item_obj = ServiceItem.objects.filter(code=item).first()
        if item_obj is None:
            raise NotFound(_("事项 %(item)s 不存在") % {"item": item}, fields={"item": _("未找到该事项")})
    if Appointment.objects.filter(id_number=actor.id_number, date=day, state__in=HOLDING).exists():
        raise Conflict(_("您在 %(date)s 已有预约，每人每天限约一次") % {"date": day.isoformat()},
                       fields={"date": _("当天已有预约")}, code="appointment_exists")
    taken = Appointment.objects.filter(queue=queue_obj, date=day, start=slot_start, state__in=HOLDING).count()
    if taken >= queue_obj.slot_capacity:
        raise Conflict(_("该时段已约满"), fields={"start": _("请选择其他时段")}, code="slot_full")
    try:
        with transaction.atomic():
            appt = Appointment.objects.create(
                code=_new_code(), site=site_obj, queue=queue_obj, item=item_obj, date=day, start=slot_start,
                end=times[slot_start], user=actor, name=actor.display_name, id_number=actor.id_number,
                phone=actor.phone, created_at=now, changed_at=now)
    except IntegrityError:
        raise Conflict(_("您在 %(date)s 已有预约，每人每天限约一次") % {"date": day.isoformat()},
                       fields={"date": _("当天已有预约")}, code="appointment_exists") from None
    record(actor=actor, action="appointment.book", obj_type="appointment", obj_id=appt.code,
           after={"queue": queue_obj.code, "date": day.isoformat(), "start": f"{slot_start:%H:%M}"},
           site_code=site_obj.code)
    return appt


def _own(actor, appointment_id) -> Appointment:
    appt = None
    if getattr(actor, "role", None) == Role.APPLICANT and str(appointment_id).isdigit():
        appt = (Appointment.objects.select_for_update().select_related("site")
                .filter(pk=int(appointment_id), user=actor).first())
    if appt is None:
        raise NotFound(_("预约不存在"), fields={"appointment": _("未找到该预约")})
    return appt


@transaction.atomic
def cancel(actor, appointment_id) -> Appointment:
    appt = _own(actor, appointment_id)
    if appt.state != AppointmentState.BOOKED:
        raise Conflict(_("该预约当前状态不能取消"), fields={"state": appt.state, "allowed": []},
                       code="action_not_allowed")
    hours = hall_settings(appt.site).booking_min_hours
    if _local(appt.date, appt.start) - timezone.now() < datetime.timedelta(hours=hours):
        raise Conflict(_("距预约开始不足 %(h)s 小时，不能取消") % {"h": hours}, fields={"start": _("已过取消时限")},
                       code="too_late")
    return _set_state(appt, AppointmentState.CANCELLED, actor)


def _set_state(appt: Appointment, state: str, actor) -> Appointment:
    before = appt.state
    appt.state, appt.changed_at = state, timezone.now()
    appt.save(update_fields=["state", "changed_at"])
    record(actor=actor, action=f"appointment.{state}", obj_type="appointment", obj_id=appt.code,
           before={"state": before}, after={"state": state}, site_code=appt.site.code)
    return appt


@transaction.atomic
def check_in(*, site: str, code: str, actor=None):
    """Kiosk check-in: the booking of today whose slot is near becomes a priority ticket."""
    site_obj = get_site(site)
    appt = (Appointment.objects.select_for_update().select_related("site", "queue")
            .filter(site=site_obj, code=str(code or "").strip().upper()).first())
    if appt is None:
        raise NotFound(_("预约码不存在"), fields={"appointment": _("未找到该预约")})
    if appt.state != AppointmentState.BOOKED:
        raise Conflict(_("该预约已签到、取消或过期"), fields={"appointment": appt.state}, code="appointment_used")
    now = timezone.now()
    if not (_local(appt.date, appt.start) - CHECK_IN_EARLY <= now < _local(appt.date, appt.end)):
        raise Conflict(_("请在预约时段内签到（%(date)s %(start)s-%(end)s，可提前 30 分钟）")
                       % {"date": appt.date.isoformat(), "start": f"{appt.start:%H:%M}", "end": f"{appt.end:%H:%M}"},
                       fields={"appointment": _("不在签到时间")}, code="outside_slot")
    ticket = issue(site=site_obj.code, queue=appt.queue.code, id_number=appt.id_number, phone=appt.phone,
                   appointment=appt, actor=actor)
    _set_state(appt, AppointmentState.CHECKED_IN, actor)
    return ticket


@transaction.atomic
def mark_no_shows(now=None) -> int:
    """Bookings whose slot ended without a check-in become no-shows."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    qs = Appointment.objects.select_related("site").filter(state=AppointmentState.BOOKED, date__lte=local.date())
    n = 0
    for appt in qs.order_by("date", "end")[:5000]:
        if appt.date < local.date() or appt.end <= local.time():
            _set_state(appt, AppointmentState.NO_SHOW, None)
            n += 1
    return n


def reminder_text(appt: Appointment) -> str:
    materials = ""
    if appt.item_id:
        version = appt.item.versions.filter(is_current=True).first()
        if version is not None:
            names = [m.name for m in version.materials.order_by("order", "id")]
            materials = _("请携带：%(list)s。") % {"list": "、".join(names)} if names else ""
    return _("【政务服务中心】您已预约 %(date)s %(start)s-%(end)s 在%(site)s办理%(queue)s，预约码 %(code)s。%(materials)s") % {
        "date": appt.date.isoformat(), "start": f"{appt.start:%H:%M}", "end": f"{appt.end:%H:%M}",
        "site": appt.site.name, "queue": appt.queue.name, "code": appt.code, "materials": materials}


@transaction.atomic
def send_reminders(now=None) -> int:
    """The day before: one SMS per booking with the item's one-time list of materials."""
    local = timezone.localtime(now or timezone.now())
    tomorrow = local.date() + datetime.timedelta(days=1)
    qs = (Appointment.objects.select_for_update(of=("self",)).select_related("site", "queue", "item")
          .filter(state=AppointmentState.BOOKED, date=tomorrow, reminded=False).exclude(phone=""))
    n = 0
    for appt in qs[:5000]:
        send_sms(appt.phone, reminder_text(appt), kind="appointment.reminder")
        Appointment.objects.filter(pk=appt.pk).update(reminded=True)
        n += 1
    return n
