from django import template

from onewindow.cases.presenters import event_label as _event_label

register = template.Library()


@register.filter
def event_label(action: str) -> str:
    """`{{ event.action|event_label }}`: 受理, 一次性告知 … in the current language."""
    return _event_label(action)


@register.filter
def state_label(state: str) -> str:
    """`{{ event.to_state|state_label }}`: 已提交, 待补正 … in the current language ('' for no state)."""
    from onewindow.cases.models import State

    return str(State(state).label) if state in State.values else ""
