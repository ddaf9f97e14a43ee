"""`make bench`: run every benchmark in bench/ (intake; public read paths; the hall's call-next and issuance; the soak)
and fail if one fails.

`--million` also runs bench/million.py (supervision and statistics at 1,000,000 cases; long: it
builds a database of a million cases unless one is there already)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["intake.py", "public.py", "queue.py", "soak.py"]


def main() -> int:
    rc = 0
    args = [a for a in sys.argv[1:] if a != "--million"]
    benches = BENCHES + (["million.py"] if "--million" in sys.argv[1:] else [])
    for name in benches:
        print(f"== bench/{name}", flush=True)
        code = subprocess.run([sys.executable, str(HERE / name), *args], check=False).returncode
        if code:
            print(f"bench/{name} exited with {code}", flush=True)
            rc = rc or code
    return rc


if __name__ == "__main__":
    sys.exit(main())
