"""`day_changed`: sent by workdays.services.set_day inside its transaction when a day switches
between working and not, with `day`, `delta` (+1: now a working day, -1: no longer) and `actor`.
Receivers (cases: the due dates of open cases spanning the day) run in the same transaction and
return how many rows they moved."""

from django.dispatch import Signal

day_changed = Signal()
