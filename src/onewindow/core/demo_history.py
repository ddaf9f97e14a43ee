"""About 90 days of generated history for a fresh demo (`onewindow demo --history`, run by `make run`),
so that the supervision room, the rankings and the statistics show a centre at work.

Uses the synthetic case generator (`onewindow generate`, stats app) and then one supervision sweep,
so that overdue cases carry their red alerts at once. Runs only when the database holds no generated
case yet (idempotent); `ONEWINDOW_DEMO_HISTORY=0` skips it; `ONEWINDOW_DEMO_HISTORY=N` sets the number
of cases (default `CASES`).
"""

from __future__ import annotations

import os
import time

from django.core.management import call_command

DAYS = 90
CASES = 12_000  # ~190 a working day: a busy city centre and its town centres (the real one: ~1,300)
SEED = 90


def wanted_cases() -> int:
    raw = (os.environ.get("ONEWINDOW_DEMO_HISTORY") or "").strip().lower()
    if raw in ("0", "no", "off", "false"):
        return 0
    return int(raw) if raw.isdigit() else CASES


def has_history() -> bool:
    from onewindow.cases.models import Case

    return Case.objects.filter(data__generated=True).exists()


def load(stdout=None) -> int:
    """Generate the history when wanted and missing. Returns the number of cases generated."""
    n = wanted_cases()
    say = stdout.write if stdout is not None else (lambda text: None)
    if n == 0:
        say("  history: skipped (ONEWINDOW_DEMO_HISTORY=0)\n")
        return 0
    if has_history():
        say("  history: already present\n")
        return 0
    started = time.monotonic()
    call_command("generate", cases=n, days=DAYS, seed=SEED, stdout=stdout)
    from onewindow.supervision.services import sweep

    swept = sweep()
    say(f"  history: {n} cases over {DAYS} days, {swept['opened']} alerts opened, "
        f"{time.monotonic() - started:.0f} s\n")
    return n
