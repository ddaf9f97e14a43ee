"""Fail when a Python module of the project is longer than the limit (`make lint`).

Small modules with names that say what they hold: split by topic when one grows past LIMIT lines.
Covers src/ (migrations aside, they are generated), scripts/ and bench/.

    python scripts/check_module_size.py
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 450
ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    too_long = []
    for folder in ("src", "scripts", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT:
                too_long.append((path.relative_to(ROOT), lines))
    for path, lines in too_long:
        print(f"{path}: {lines} lines (limit {LIMIT}): split it by topic")
    if not too_long:
        print(f"module size: every module within {LIMIT} lines")
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
