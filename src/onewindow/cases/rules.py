"""Who may perform which action on which case, decided once.

`check(case, action, user)` raises the refusal perform() answers with; `can_perform` asks the same
question without raising, so that the case page offers exactly the actions that would succeed
(bar the payload: a missing opinion or reason is the form's business, not a rule). The table in
cases.transitions gives the states and roles; the finer rules, which depend on the item, the
user's site or department and the case itself, are the guards below.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.core.errors import Conflict, Forbidden, ServiceError

from . import intake_modes
from .models import MaterialStatus, State
from .transitions import TRANSITIONS, allowed_actions


def _require_department(case, user):
    if user.role in (Role.REVIEWER, Role.APPROVER) and user.department_id != case.department_id:
        raise Forbidden(_("不是本部门的办件"))


def _same_site(message):
    def guard(case, user):
        if user.role in (Role.CLERK, Role.AGENT) and case.site_id != user.site_id:
            raise Forbidden(message())
    return guard


def _review(case, user):
    if user.role == Role.CLERK and not (case.item_version.window_reviews and case.site_id == user.site_id):
        raise Forbidden(_("该事项未授权窗口审核"))
    _require_department(case, user)


def awaiting_materials(case) -> list:
    """The case's materials waiting for a licence its own bundle issues (prefetched rows when there are)."""
    return [m for m in case.materials.all() if m.status == MaterialStatus.AWAITING]


def _decide(case, user):
    version = case.item_version
    if user.role == Role.CLERK and not (version.window_decides and case.site_id == user.site_id):
        raise Forbidden(_("该事项未授权窗口决定"))
    if case.state == State.ACCEPTED and not (version.window_decides or version.is_instant):
        raise Conflict(_("该事项须先经审核再作决定"), code="review_required",
                       fields={"state": case.state, "allowed_actions": allowed_actions(case.state)})
    _require_department(case, user)
    waiting = awaiting_materials(case)
    if waiting:
        raise Conflict(
            _("等待同一件事内签发的证照：%(materials)s，签发后自动补入，再作决定") % {"materials": _("、").join(m.name for m in waiting)},
            code="awaiting_licence", fields={"materials": [m.code for m in waiting]},
        )
    intake_modes.check_decidable(case)  # 容缺 materials still missing


def _extend(case, user):
    _require_department(case, user)
    allowance = case.item_version.extension_days
    if case.extended_days >= allowance:  # nothing left to grant: the same refusal as too many days
        raise ServiceError(
            _("超出事项可延长时限：可延长 %(allowance)s 个工作日，已延长 %(extended_days)s 个") % {"allowance": allowance, "extended_days": case.extended_days},
            fields={"days": _("最多还可延长 %(days)s 个工作日") % {"days": 0}},
        )


# ---- the intake modes' actions (cases.intake_modes runs them; whether they apply is decided here)

def _makeup(case, user):
    if not intake_modes.outstanding(case):
        raise Conflict(_("该办件没有待补正的容缺材料"), code="no_deferral", fields={"materials": []})


def _terminate(case, user):
    _require_department(case, user)
    if not intake_modes.outstanding(case):
        raise Conflict(_("只有容缺材料逾期未补正的办件才能终止办理"), code="not_terminable", fields={"deferred": []})
    due = case.deferral.makeup_due
    if due >= timezone.localdate():
        raise Conflict(_("补正期限（%(due)s）尚未届满，不能终止办理") % {"due": due.isoformat()},
                       code="makeup_not_due", fields={"makeup_due": due.isoformat()})


def _verify(case, user):
    _require_department(case, user)
    if not intake_modes.verification_pending(case):
        raise Conflict(_("该办件没有待核查的告知承诺"), code="no_verification", fields={"verification": None})


def _delivery(case, user):
    _same_site(lambda: _("只能送达本场所的办件"))(case, user)
    intake_modes.check_postal_sent(case)


GUARDS = {
    "accept": _same_site(lambda: _("只能受理本场所的办件")),
    "deliver": _same_site(lambda: _("只能送达本场所的办件")),
    "review": _review,
    "decide": _decide,
    "suspend": _require_department,
    "resume": _require_department,
    "extend": _extend,
    "makeup": _makeup,
    "terminate": _terminate,
    "verify": _verify,
    "delivery": _delivery,
}


def check(case, action: str, user) -> None:
    """Raise the refusal of `action` on `case` by `user` (Conflict for the state, Forbidden for the
    role or scope), or return when it may be performed."""
    t = TRANSITIONS[action]
    if case.state not in t.sources:
        raise Conflict(
            _("办件当前状态为“%(state)s”，不能执行“%(label)s”") % {"state": case.get_state_display(), "label": _(t.label)},
            code="invalid_transition",
            fields={"state": case.state, "allowed_actions": allowed_actions(case.state)},
        )
    if getattr(user, "role", None) not in t.roles:
        raise Forbidden(_("当前角色不能执行“%(label)s”") % {"label": _(t.label)})
    guard = GUARDS.get(action)
    if guard is not None:
        guard(case, user)


def can_perform(case, action: str, user) -> bool:
    try:
        check(case, action, user)
    except ServiceError:
        return False
    return True


def offered_actions(case, user) -> list[str]:
    """The actions the case page offers `user`: those `check` lets through, in table order."""
    return [a for a in allowed_actions(case.state) if can_perform(case, a, user)]
