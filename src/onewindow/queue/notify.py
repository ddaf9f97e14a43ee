"""The SMS a waiting applicant receives when three people are ahead (through the notifications outbox)."""

from django.utils.translation import gettext as _

from onewindow.portal.notifications import send_sms

from . import statements
from .models import Ticket

AHEAD = 3


def notify_three_ahead(queue_id: int, day, exclude: int = 0) -> list[int]:
    """Message every waiting ticket with a phone and at most three ahead that has not been told yet.

    Runs in the calling transaction: the message is written with the call or not at all. `exclude`: the
    ticket being called, still waiting in the database until the call's write (sent after this read).
    """
    front = statements.front(queue_id, day, AHEAD + 1, exclude)  # precompiled: every call runs it (ADR 0201)
    told = []
    for position, (pk, number, phone, notified) in enumerate(front):
        if notified or not phone:
            continue
        send_sms(phone, _("【政务服务中心】您的排队号 %(number)s 前面还有 %(ahead)s 人，请到大厅等候叫号。")
                 % {"number": number, "ahead": position}, kind="queue.ahead")
        told.append(pk)
    if told:
        Ticket.objects.filter(pk__in=told).update(ahead_notified=True)
    return told
