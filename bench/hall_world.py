"""The benchmark hall shared by bench/queue.py and bench/hall_profile.py: one site, Q queues, W windows.

Every window serves every queue (with a rotating priority), has one clerk and one API token.
Also the correctness check run after a benchmark (no ticket called twice, numbers 1..n each once).
Named hall_world, not queue_*, so that nothing here shadows the standard library's `queue`.
"""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PREFIXES = "ABCDEFGHJK"


def world_script(queues: int, windows: int) -> str:
    return f"""
import json
from onewindow.accounts.models import ApiToken, User
from onewindow.queue.models import Queue, WindowQueue
from onewindow.regions.models import Hall, Region, Site, Window
city = Region.objects.create(code="341300", name="宿州市", level="city")
site = Site.objects.create(code="BENCH", name="压测中心", level="city", kind="centre", region=city)
hall = Hall.objects.create(site=site, name="大厅")
queues = [Queue.objects.create(site=site, hall=hall, code=f"q{{i}}", prefix="{PREFIXES}"[i], name=f"队列{{i}}")
          for i in range({queues})]
tokens = []
for i in range({windows}):
    w = Window.objects.create(hall=hall, number=f"{{i + 1:03d}}", name="综合", kind="comprehensive")
    for j, q in enumerate(queues):
        WindowQueue.objects.create(window=w, queue=q, priority=1 + (i + j) % len(queues))
    u = User(username=f"bench{{i}}", role="clerk", site=site, window=w)
    u.set_unusable_password()
    u.save()
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=u, digest=ApiToken.hash(raw), label="bench")
    tokens.append([w.pk, raw])
print("BENCH" + json.dumps({{"tokens": tokens, "queues": [q.code for q in queues]}}))
"""


def prepare(env: dict, queues: int, windows: int) -> dict:
    """Migrate the (fresh) database of env's DATABASE_URL and build the hall; tokens and queue codes."""
    subprocess.run([str(BIN / "onewindow"), "migrate", "--noinput", "-v", "0"], env=env, check=True)
    out = subprocess.run([str(BIN / "onewindow"), "shell", "-c", world_script(queues, windows)], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith("BENCH"))[5:])


CHECK = """
import json
from django.db.models import Count, Max
from onewindow.queue.models import Ticket, TicketEvent
twice = TicketEvent.objects.filter(action="call").values("ticket").annotate(n=Count("id")).filter(n__gt=1).count()
rows = (Ticket.objects.filter(seq__isnull=False).values("queue__code", "day")
        .annotate(n=Count("id"), d=Count("seq", distinct=True), m=Max("seq")))
bad = [r["queue__code"] for r in rows if not (r["n"] == r["d"] == r["m"])]
print("CHECK" + json.dumps({"called_twice": twice, "queues_with_gap_or_repeat": bad, "tickets": Ticket.objects.count(),
      "calls": TicketEvent.objects.filter(action="call").count()}))
"""


def check(env: dict) -> dict:
    out = subprocess.run([str(BIN / "onewindow"), "shell", "-c", CHECK], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith("CHECK"))[5:])


# ---------------------------------------------------------------- CPU of the server and of its database


def _stat(pid: str) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from the state on (the name may hold spaces)


def _cpu_seconds(fields: list[str]) -> float:
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def tree_cpu(root_pid: int) -> float:
    """CPU seconds used so far by a process and its descendants (the gunicorn master and workers)."""
    stats = {p.name: s for p in Path("/proc").iterdir() if p.name.isdigit() and (s := _stat(p.name))}
    children: dict[str, list[str]] = {}
    for pid, s in stats.items():
        children.setdefault(s[1], []).append(pid)
    total, todo = 0.0, [str(root_pid)]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += _cpu_seconds(stats[pid])
            todo.extend(children.get(pid, []))
    return total


def db_backends_cpu(db: str) -> dict[str, float]:
    """CPU seconds of each PostgreSQL backend connected to `db` (by its process title)."""
    out = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            title = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {db} " in title and (s := _stat(p.name)):
            out[p.name] = _cpu_seconds(s)
    return out


class CpuMeter:
    """CPU seconds spent by the server's processes and the database's backends between start() and stop()."""

    def __init__(self, server_pid: int, db: str):
        self.pid, self.db = server_pid, db

    def start(self):
        import os
        import time

        self.t, self.server, self.backends, self.load = time.monotonic(), tree_cpu(self.pid), db_backends_cpu(self.db), \
            os.getloadavg()
        return self

    def stop(self) -> dict:
        import os
        import time

        wall = time.monotonic() - self.t
        server = tree_cpu(self.pid) - self.server
        backends = sum(v - self.backends.get(k, 0.0) for k, v in db_backends_cpu(self.db).items())
        return {"wall_s": wall, "server_cpu_s": server, "db_cpu_s": backends,
                "server_cores": server / wall if wall else 0.0, "db_cores": backends / wall if wall else 0.0,
                "load_before": self.load, "load_after": os.getloadavg()}
