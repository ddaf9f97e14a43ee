"""`case_changed`: sent by the worker after a case change committed (cases.tasks), with case, action
and actor. Notifications and supervision listen."""

from django.dispatch import Signal

case_changed = Signal()
