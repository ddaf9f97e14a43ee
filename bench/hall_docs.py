"""bench/queue.py's report: the section "Hall: call-next and issuance" of docs/performance.md."""

import datetime
import os
import platform
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
SECTION = "## Hall: call-next and issuance (bench/queue.py)"
NOTES = "<!-- hall notes: kept across runs -->"


def _load(cpu):
    return f"{cpu['load_before'][0]:.1f} → {cpu['load_after'][0]:.1f}"


def write_docs(args, r):
    h, c, f, k = r["hall"], r["closed"], r["floor"], r["checks"]
    ok = h["call_p99"] < 50
    body = f"""{SECTION}

Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores
shared with other work, PostgreSQL on loopback; `onewindow serve --workers {args.workers} --threads {args.threads}`.
Command: `.venv/bin/python bench/queue.py --terminals {args.terminals} --kiosks {args.kiosks} --speedup
{args.speedup:g} --seconds {args.seconds:g}` (a fresh database: one site, {args.queues} queues, {args.terminals}
windows each serving every queue, one clerk and API token per window).

**The hall** ({args.terminals} window terminals + {args.kiosks} kiosks = {args.terminals + args.kiosks} connections
at once, {args.seconds:g} s). A real ticket takes {args.service_minutes:g} minutes at the window; the run goes
{args.speedup:g}× faster, so a clerk serves {h['service_s']:.1f} s on average (exponential, clipped to
0.2–3×) between start and finish. The kiosks issue a Poisson stream of {h['arrival_rate']:.1f} tickets/s
({args.utilisation:.0%} of the windows' capacity), after {args.preopen} ticket(s) per window issued before
opening. Windows call on whole {args.tick:g}-s ticks of the hall clock, so every window due in the same tick
calls in the same instant (about {args.terminals / h['service_s'] * args.tick:.0f} per tick), and at opening all
{args.terminals} call at once.

| measure (the hall) | result |
|---|---|
| call-next requests | {h['calls']} calls + {h['empty']} empty (204) |
| call-next p50 / p95 / p99 / max, as the client sees it | {h['call_p50']:.1f} / {h['call_p95']:.1f} / {h['call_p99']:.1f} / {h['call_max']:.0f} ms (target p99 < 50 ms: {'met' if ok else 'NOT met'}) |
| the opening burst ({h['burst_n']} windows at once): p50 / p99 | {h['burst_p50']:.1f} / {h['burst_p99']:.1f} ms |
| after the opening ({h['steady_n']} calls on the ticks): p50 / p95 / p99 | {h['steady_p50']:.1f} / {h['steady_p95']:.1f} / {h['steady_p99']:.1f} ms |
| tickets issued during the run, p50 / p99 | {h['issued']}, {h['issue_p50']:.1f} / {h['issue_p99']:.1f} ms |
| errors | {len(h['errors'])} |
| server CPU (gunicorn processes) / database CPU (its backends) | {h['cpu']['server_cores']:.2f} / {h['cpu']['db_cores']:.2f} cores |
| load average (1 min) at start → end | {_load(h['cpu'])} |

**Saturation** ({args.closed} closed-loop clients, {args.closed_seconds:g} s each, same server): kiosks issuing
without pause, then terminals calling, starting and finishing without pause; then the same clients against
the no-op twin (bench/floor/queue_floor_urls.py: same server, middleware and request schemas, no database).

| measure (closed loop) | real endpoints | no-op twin | real / twin |
|---|---|---|---|
| tickets issued per second | {c['issue_rate']:.1f} | {f['issue_rate']:.1f} | {c['issue_rate'] / f['issue_rate'] * 100 if f['issue_rate'] else 0:.0f} % |
| call-next per second (each followed by start and finish) | {c['call_rate']:.1f} | {f['call_rate']:.1f} | {c['call_rate'] / f['call_rate'] * 100 if f['call_rate'] else 0:.0f} % |
| requests per second in the call loop | {c['call_requests_rate']:.1f} | {f['call_requests_rate']:.1f} | |
| server / database CPU while issuing | {c['issue_cpu']['server_cores']:.2f} / {c['issue_cpu']['db_cores']:.2f} cores | {f['issue_cpu']['server_cores']:.2f} cores | |
| load average at start → end | {_load(c['issue_cpu'])} | {_load(f['issue_cpu'])} | |
| errors | {c['issue_errors'] + c['call_errors']} | {f['issue_errors'] + f['call_errors']} | |

Correctness over the whole run (SQL): {k['calls']} calls of {k['tickets']} tickets; tickets called twice:
{k['called_twice']}; queues with a repeated or skipped number: {len(k['queues_with_gap_or_repeat'])}.

"""
    text = DOCS.read_text() if DOCS.exists() else "# Performance\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        old = text[start:nxt + 1 if nxt != -1 else len(text)]
        notes = old[old.index(NOTES):] if NOTES in old else NOTES + "\n"
        text = text[:start] + body + notes.rstrip("\n") + "\n" + ("\n" + text[nxt + 1:] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body + NOTES + "\n"
    DOCS.write_text(text)
    print(f"wrote {SECTION} in {DOCS}")
