"""The case state machine, declared once.

Each action names the states it may start from, the state it leads to (``PREVIOUS`` for
`resume`, which returns to the state before the suspension; ``SAME`` for actions that
do not change state), and the roles that may perform it. Finer rules (the window may
decide only authorised items; `decide` from `accepted` only for such items or 即办件)
live in the service that runs the action.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from onewindow.accounts.models import Role

from .models import CLOCK_STATES, OPEN_STATES, State

PREVIOUS = "__previous__"
SAME = "__same__"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset
    label: str  # Chinese source string (gettext_noop); translate with gettext when shown
    # Outcome-dependent targets: the handler's data["outcome"] → the state it leads to instead of `target`.
    branches: tuple[tuple[str, str], ...] = ()


def _t(action, sources, target, roles, label, branches=None):
    return Transition(action, tuple(sources), target, frozenset(roles), label, tuple((branches or {}).items()))


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("notice", [State.SUBMITTED], State.PENDING_MATERIALS, {Role.CLERK}, gettext_noop("一次性告知")),
        _t("supplement", [State.PENDING_MATERIALS], State.SUBMITTED, {Role.APPLICANT, Role.AGENT, Role.CLERK}, gettext_noop("补正材料")),
        _t("accept", [State.SUBMITTED], State.ACCEPTED, {Role.CLERK}, gettext_noop("受理")),
        _t("reject", [State.SUBMITTED, State.PENDING_MATERIALS], State.REJECTED, {Role.CLERK}, gettext_noop("不予受理")),
        _t("review", [State.ACCEPTED], State.REVIEWED, {Role.REVIEWER, Role.CLERK}, gettext_noop("审核")),
        _t("decide", [State.ACCEPTED, State.REVIEWED], State.CONCLUDED, {Role.APPROVER, Role.CLERK}, gettext_noop("决定")),
        _t("suspend", [State.ACCEPTED, State.REVIEWED], State.SUSPENDED, {Role.REVIEWER, Role.APPROVER}, gettext_noop("挂起（特别程序）")),
        _t("resume", [State.SUSPENDED], PREVIOUS, {Role.REVIEWER, Role.APPROVER}, gettext_noop("恢复计时")),
        _t("extend", [State.ACCEPTED, State.REVIEWED, State.SUSPENDED], SAME, {Role.APPROVER}, gettext_noop("延期")),
        _t("deliver", [State.CONCLUDED], State.DELIVERED, {Role.CLERK, Role.AGENT}, gettext_noop("送达")),
        _t("withdraw", list(OPEN_STATES), State.WITHDRAWN, {Role.APPLICANT, Role.AGENT, Role.CLERK}, gettext_noop("撤回申请")),
        # The intake modes (cases.intake_modes): 容缺 make-up and its termination, 告知承诺 verification, postal receipt.
        _t("makeup", CLOCK_STATES, SAME, {Role.APPLICANT, Role.AGENT, Role.CLERK}, gettext_noop("容缺补正")),
        _t("terminate", CLOCK_STATES, State.TERMINATED, {Role.REVIEWER, Role.APPROVER}, gettext_noop("终止办理（容缺逾期）")),
        _t("verify", [State.CONCLUDED, State.DELIVERED], SAME, {Role.REVIEWER, Role.APPROVER}, gettext_noop("承诺核查"),
           branches={"false": State.REVOKED}),
        _t("delivery", [State.DELIVERED], SAME, {Role.CLERK, Role.AGENT}, gettext_noop("寄递签收")),
    ]
}

ACTIONS = tuple(TRANSITIONS)


def allowed_actions(state: str) -> list[str]:
    """Actions whose source states include `state`, in table order."""
    return [a for a, t in TRANSITIONS.items() if state in t.sources]


def target_state(action: str, state: str, state_before_suspension: str = "", outcome: str | None = None) -> str:
    """The state `action` leads to from `state`: the branch for the handler's `outcome` when the table
    has one (verify "false" → revoked), else the table's target, the same state for ``SAME``, and
    for ``PREVIOUS`` (resume) the state before the suspension (accepted when none was kept)."""
    t = TRANSITIONS[action]
    branch = dict(t.branches).get(outcome) if outcome is not None else None
    if branch:
        return branch
    target = t.target
    if target == PREVIOUS:
        return state_before_suspension or State.ACCEPTED
    if target == SAME:
        return state
    return target
