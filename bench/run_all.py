"""`make bench`: run every benchmark in bench/ (today: the intake benchmark) and fail if one fails."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["intake.py"]


def main() -> int:
    rc = 0
    for name in BENCHES:
        print(f"== bench/{name}", flush=True)
        code = subprocess.run([sys.executable, str(HERE / name), *sys.argv[1:]], check=False).returncode
        if code:
            print(f"bench/{name} exited with {code}", flush=True)
            rc = rc or code
    return rc


if __name__ == "__main__":
    sys.exit(main())
