"""The clients of bench/queue.py: paced window terminals and kiosks (a hall at a documented speed-up)
and closed-loop ones (the saturation point). Each client is a thread on its own HTTP connection;
latencies are what the client sees (connection, server queueing and work). Every loop is bounded
by a deadline and a count.
"""

import http.client
import json
import random
import threading
import time

MAX_REQUESTS = 200_000  # per client, besides the deadline
IDLE_CLOSE = 1.5  # s: the server (gunicorn) drops a keep-alive connection idle for 2 s; reconnect before


class Client(threading.Thread):
    def __init__(self, port, deadline, seed=0):
        super().__init__(daemon=True)
        self.port, self.deadline = port, deadline
        self.ms, self.errors, self.count = [], [], 0
        self.rng = random.Random(seed)
        self.conn, self.last_used = None, 0.0

    def post(self, path, body=None, token=None, method="POST"):
        """(status, body, ms). A fresh connection when the last one idled past IDLE_CLOSE (timed too)."""
        t0 = time.perf_counter()
        if self.conn is None or time.monotonic() - self.last_used > IDLE_CLOSE:
            if self.conn is not None:
                self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            self.conn.request(method, path, body=json.dumps(body or {}).encode() if method == "POST" else None,
                              headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        self.last_used = time.monotonic()
        return resp.status, data, (time.perf_counter() - t0) * 1000

    def sleep_until(self, t):
        delay = min(t, self.deadline) - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def run(self):
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= self.deadline:
                break
            try:
                self.step()
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
        if self.conn is not None:
            self.conn.close()

    def step(self):
        raise NotImplementedError


class Terminal(Client):
    """A window's clerk. Paced (`service` > 0): call-next, start, serve for an exponential time of mean
    `service` (clipped to 0.2–3×), finish, and call again:

    - the hall (`tick` = 0): the window opens at `open_at` (its own time) and calls the moment it
      finishes, at its own continuous time; after a 204 it presses again after an exponential pause of
      mean `service` / 10;
    - synchronised (`tick` > 0, the stress row): calls land on whole ticks of the hall clock, so the
      windows due in the same tick call in the same instant (at t0 every window calls at once); after a
      204 the next tick but one.

    Closed loop (`service` = 0): call-next, start, finish, at once, again. `at` holds each call's start."""

    def __init__(self, port, deadline, window, token, t0=0.0, service=0.0, tick=1.0, seed=0, open_at=None):
        super().__init__(port, deadline, seed)
        self.window, self.token, self.t0, self.service, self.tick = window, token, t0, service, tick
        self.empty, self.cycles = 0, 0
        self.next_call = t0 if open_at is None else open_at
        self.at = []

    def next_tick(self, after):
        if not self.tick:  # the hall: no ticks; a 204 is followed by a short pause
            return after + self.rng.expovariate(10 / self.service) if self.service else after
        k = max(0, int((after - self.t0) // self.tick) + 1)
        return self.t0 + k * self.tick

    def step(self):
        if self.service:
            self.sleep_until(self.next_call)
            if time.monotonic() >= self.deadline:
                return
        self.at.append(time.monotonic())
        st, data, ms = self.post(f"/api/v1/queue/windows/{self.window}/call-next", token=self.token)
        self.ms.append(ms)
        if st == 204:
            self.empty += 1
            self.next_call = self.next_tick(time.monotonic() + self.tick)
            if not self.service:
                time.sleep(0.01)
            return
        if st != 200:
            self.errors.append(f"call {st} {data[:160]!r}")
            self.next_call = self.next_tick(time.monotonic() + self.tick)
            return
        self.count += 1
        tid = json.loads(data)["id"]
        self.act(tid, "start")
        if self.service:
            serve = min(max(self.rng.expovariate(1 / self.service), 0.2 * self.service), 3 * self.service)
            time.sleep(max(0.0, min(serve, self.deadline - time.monotonic())))  # cut at the deadline, then finish
        self.act(tid, "finish")
        self.cycles += 1
        self.next_call = self.next_tick(time.monotonic()) if self.tick else time.monotonic()  # the hall: at once

    def act(self, tid, action):
        st, data, _ms = self.post(f"/api/v1/queue/tickets/{tid}/actions/{action}", token=self.token)
        if st != 200:
            self.errors.append(f"{action} {st} {data[:160]!r}")


class Hello(Client):
    """Closed loop on the hello-world view of the same server (bench/floor/hello_urls.py): the stack's
    own ceiling in the same run."""

    def step(self):
        st, data, ms = self.post("/bench/hello/", method="GET")
        if st == 200:
            self.count += 1
            self.ms.append(ms)
        else:
            self.errors.append(f"hello {st} {data[:80]!r}")


class Kiosk(Client):
    """A kiosk: tickets for its queues in turn; paced (`rate` > 0) as a Poisson stream of that many
    tickets per second, else closed loop (issue, issue, …)."""

    def __init__(self, port, deadline, queues, rate=0.0, seed=0, limit=MAX_REQUESTS):
        super().__init__(port, deadline, seed)
        self.queues, self.rate, self.limit = queues, rate, limit
        self.next_at = time.monotonic() + (self.rng.expovariate(rate) if rate else 0)

    def step(self):
        if self.count >= self.limit:
            self.deadline = 0
            return
        if self.rate:
            self.sleep_until(self.next_at)
            if time.monotonic() >= self.deadline:
                return
            self.next_at += self.rng.expovariate(self.rate)
        queue = self.queues[self.count % len(self.queues)]
        st, data, ms = self.post("/api/v1/queue/tickets", {"site": "BENCH", "queue": queue})
        if st == 201:
            self.count += 1
            self.ms.append(ms)
        else:
            self.errors.append(f"issue {st} {data[:160]!r}")


def run(clients, seconds):
    for c in clients:
        c.start()
    for c in clients:
        c.join(timeout=seconds + 120)
    return clients


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]
