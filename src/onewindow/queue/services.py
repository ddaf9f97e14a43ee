"""The one import point for the hall's writes (tickets, window actions, window status, appointments)."""

from .actions import link_case, perform
from .appointments import book, cancel, check_in, mark_no_shows, send_reminders
from .tickets import allowed_actions, call_next, issue
from .windows import change as change_window

__all__ = ["allowed_actions", "book", "call_next", "cancel", "change_window", "check_in", "issue", "link_case",
           "mark_no_shows", "perform", "send_reminders"]
