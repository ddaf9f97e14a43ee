"""mypy with a baseline that may only shrink (`make lint`).

Runs mypy (configured in pyproject.toml: django-stubs plugin, packages = onewindow) and compares its
errors with mypy-baseline.txt, the errors the code had when type checking began, one a line as
"path: error: message  [code]" (line numbers left out, so moving code does not count as a change):

* an error not in the baseline fails the run: fix it (the baseline does not grow);
* a baseline error that is gone fails the run too, asking you to shrink the baseline:
  `python scripts/mypy_baseline.py --shrink` removes fixed entries and never adds any.

    python scripts/mypy_baseline.py            # check
    python scripts/mypy_baseline.py --shrink   # drop the entries that no longer occur
    python scripts/mypy_baseline.py --init     # write the baseline from today's errors (only when there is none)
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+)(?::\d+)?: error: (?P<rest>.*)$")


def run_mypy() -> tuple[Counter, dict[str, list[str]]]:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):  # 2: mypy itself failed (bad configuration, crash)
        sys.stdout.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mypy did not run (exit {proc.returncode})")
    found: Counter = Counter()
    where: dict[str, list[str]] = {}
    for raw in proc.stdout.splitlines():
        m = ERROR.match(raw)
        if m:
            key = f"{m['path']}: error: {m['rest']}"
            found[key] += 1
            where.setdefault(key, []).append(raw)
    return found, where


def read_baseline() -> Counter:
    if not BASELINE.exists():
        return Counter()
    return Counter(line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line.strip())


def write_baseline(entries: Counter) -> None:
    BASELINE.write_text("".join(f"{key}\n" for key in sorted(entries.elements())), encoding="utf-8")


def main(argv: list[str]) -> int:
    found, where = run_mypy()
    if "--init" in argv:
        if BASELINE.exists():
            raise SystemExit(f"{BASELINE.name} exists: the baseline only shrinks (--shrink)")
        write_baseline(found)
        print(f"mypy baseline: {sum(found.values())} errors written to {BASELINE.name}")
        return 0
    baseline = read_baseline()
    new = found - baseline
    gone = baseline - found
    if "--shrink" in argv and gone:
        baseline -= gone
        write_baseline(baseline)
        print(f"mypy baseline: {sum(gone.values())} fixed entries removed ({sum(baseline.values())} left)")
        gone = Counter()
    for key in sorted(new):
        for raw in where[key][-new[key]:]:
            print(raw)
    if new:
        print(f"mypy: {sum(new.values())} error(s) not in {BASELINE.name}; fix them (the baseline only shrinks)")
    if gone:
        print(f"mypy: {sum(gone.values())} baseline error(s) no longer occur, well done: shrink the baseline with "
              f"`python scripts/mypy_baseline.py --shrink` and commit {BASELINE.name}")
        for key in sorted(gone):
            print(f"  fixed: {key}")
    if new or gone:
        return 1
    print(f"mypy: no errors beyond the {sum(baseline.values())} of the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
