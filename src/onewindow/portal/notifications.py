"""Applicant notifications: SMS and email through a pluggable sender.

The sender is a dotted path in settings.ONEWINDOW_NOTIFICATION_SENDER (default
`onewindow.portal.notifications.OutboxSender`): a class with
`send(channel, to, subject, body, *, kind="", case_number="") -> Outbox`.
The default writes the message to the Outbox table and logs it to the console; a real
SMS gateway sender can subclass it and deliver before marking `sent_at`.
"""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from onewindow.cases.models import Case
from onewindow.core import links
from onewindow.core.text import mask_phone

from .models import Outbox, OutboxChannel

log = logging.getLogger("onewindow.notifications")

DEFAULT_SENDER = "onewindow.portal.notifications.OutboxSender"
NOTIFIED_ACTIONS = ("notice", "accept", "reject", "decide", "deliver", "verify", "terminate")


class OutboxSender:
    def send(self, channel: str, to: str, subject: str, body: str, *, kind: str = "", case_number: str = "") -> Outbox:
        msg = Outbox.objects.create(channel=channel, to=to, subject=subject[:200], body=body, kind=kind,
                                    case_number=case_number)
        log.warning("[%s → %s] %s", channel, mask_phone(to) if channel == OutboxChannel.SMS else to, body)
        msg.sent_at = timezone.now()
        msg.save(update_fields=["sent_at"])
        return msg


def get_sender():
    return import_string(getattr(settings, "ONEWINDOW_NOTIFICATION_SENDER", DEFAULT_SENDER))()


def send_sms(phone: str, body: str, *, kind: str = "", case_number: str = "") -> Outbox:
    return get_sender().send(OutboxChannel.SMS, phone, "", body, kind=kind, case_number=case_number)


def case_message(case, action: str) -> str:
    notice = case.notices.order_by("-issued_at", "-id").first() if action in ("notice", "reject") else None
    context = {
        "case": case,
        "number": case.number,
        "code": case.query_code,
        "item": case.item_version.name,
        "due": case.due_date.strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月") if case.due_date else "",
        "missing": "、".join(i["name"] for i in (notice.items if notice else [])),
        "reason": case.result_reason,
        "approved": case.result == "approve",
        "link": links.tracking_url(case.number, case.query_code),
    }
    return render_to_string(f"portal/notifications/{action}.txt", context).strip()


def notify_case(case, action: str) -> list[Outbox]:
    """Write the SMS (and email, when the applicant account has one) for `action` on `case`."""
    if action not in NOTIFIED_ACTIONS:
        return []
    body = case_message(case, action)
    sender = get_sender()
    out = []
    if case.applicant_phone:
        out.append(sender.send(OutboxChannel.SMS, case.applicant_phone, "", body, kind=f"case.{action}",
                               case_number=case.number))
    user = case.applicant_user
    if user is not None and user.email:
        subject = f"【宿州市政务服务中心】办件{case.number}进度通知"
        out.append(sender.send(OutboxChannel.EMAIL, user.email, subject, body, kind=f"case.{action}",
                               case_number=case.number))
    return out


def on_case_changed(sender, case=None, action=None, actor=None, **kwargs):
    """Receiver for cases.services.case_changed (sent after commit)."""
    if case is None or action not in NOTIFIED_ACTIONS:
        return
    try:
        fresh = Case.objects.select_related("item_version", "applicant_user").get(pk=case.pk)
        notify_case(fresh, action)
    except Exception:  # a notification failure must never undo or fail the committed action
        log.exception("notification for case %s (%s) failed", getattr(case, "number", "?"), action)
