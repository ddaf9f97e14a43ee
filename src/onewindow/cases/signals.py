"""Signals of case changes.

`case_written`: sent inside the writing transaction, right after the change (case); for cheap
listeners that defer their work to the commit (the tracking cache forgets the case's answer).
`case_changed`: sent by the worker after a case change committed (cases.tasks), with case, action
and actor. Notifications and supervision listen.
"""

from django.dispatch import Signal

case_written = Signal()
case_changed = Signal()
