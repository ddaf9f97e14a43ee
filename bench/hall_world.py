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
