"""bench/queue.py's report: the section "Hall: call-next and issuance" of docs/performance.md."""

import datetime
import os
import platform
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
SECTION = "## Hall: call-next and issuance (bench/queue.py)"
NOTES = "<!-- hall notes: kept across runs -->"
REAL_CALLS = 160 / 360  # a real 160-window hall at 6 minutes a ticket: 0.44 calls/s


def _load(cpu):
    return f"{cpu['load_before'][0]:.1f} → {cpu['load_after'][0]:.1f}"


def _n(errors) -> int:
    return errors if isinstance(errors, int) else len(errors)


def _row(h, real_rate=REAL_CALLS):
    ok = "met" if h["call_p99"] < 50 else "NOT met"
    return (f"| {'synchronised ' if h['synchronised'] else ''}×{h['speedup']:g}, {h['seconds']:g} s | "
            f"{h['calls_due']:.1f} ({h['calls_due'] / real_rate:.0f}× a real hall) | {h['calls']} + {h['empty']} empty | "
            f"{h['call_p50']:.1f} / {h['call_p95']:.1f} / {h['call_p99']:.1f} ms ({ok}) | "
            f"{h['after_p50']:.1f} / {h['after_p95']:.1f} / {h['after_p99']:.1f} ms ({h['after_n']}) | "
            f"{h['opening_p50']:.1f} / {h['opening_p99']:.1f} ms ({h['opening_n']}) | "
            f"{h['issued']}, {h['issue_p50']:.1f} / {h['issue_p99']:.1f} ms | {_n(h['errors'])} | "
            f"{h['cpu']['server_cores']:.2f} / {h['cpu']['db_cores']:.2f} | {_load(h['cpu'])} |")


def write_docs(args, r):
    h, c, f, k = r["hall"], r["closed"], r["floor"], r["checks"]
    runs = [h, *r.get("sweep", []), *([r["sync"]] if r.get("sync") else [])]
    met = [x["speedup"] for x in runs if not x["synchronised"] and x["call_p99"] < 50]
    body = f"""{SECTION}

Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores
shared with other work, PostgreSQL on loopback; `onewindow serve --workers {args.workers} --threads {args.threads}`.
Command: `.venv/bin/python bench/queue.py --port {args.port} --terminals {args.terminals} --kiosks {args.kiosks} --speedup
{args.speedup:g} --seconds {args.seconds:g} --opening-minutes {args.opening_minutes:g}{f' --sweep {args.sweep}' if args.sweep else ''}
--sync-seconds {args.sync_seconds:g}` (a fresh database: one site, {args.queues} queues, {args.terminals}
windows each serving every queue, one clerk and API token per window).

**The hall** ({args.terminals} window terminals + {args.kiosks} kiosks = {args.terminals + args.kiosks} connections
at once). A real ticket takes {args.service_minutes:g} minutes at the window, so a real {args.terminals}-window hall
calls {args.terminals / (args.service_minutes * 60):.2f} tickets/s; a run at ×N goes N times faster (service
exponential, clipped to 0.2–3×). Kiosks issue a Poisson stream at {args.utilisation:.0%} of the windows' capacity,
after {args.preopen} ticket(s) per window issued before opening. Each window opens at a uniformly random
moment of the first {args.opening_minutes:g} minutes of hall time and then calls the moment it finishes, at its
own time (no ticks); after a 204 it presses again after a pause of mean service/10. "After the opening":
calls once every window is open. The synchronised row is the stress case of the previous sessions:
calls on whole {args.tick:g}-s ticks, all {args.terminals} windows at once at opening.

| run | calls/s due | call-next requests | call-next p50 / p95 / p99 (target p99 < 50 ms) | after the opening p50 / p95 / p99 (n) | during the opening p50 / p99 (n) | issued, p50 / p99 | errors | server / db cores | load avg 1 min |
|---|---|---|---|---|---|---|---|---|---|
""" + "\n".join(_row(x, args.terminals / (args.service_minutes * 60)) for x in runs) + f"""

Highest speedup with p99 < 50 ms under the hall's pacing in this run: {f"×{max(met):g}" if met else "none of those run"}.

**Saturation** ({args.closed} closed-loop clients, {args.closed_seconds:g} s each, the same server right after the
runs above): kiosks issuing without pause, terminals calling, starting and finishing without pause, and
GETs of the hello-world view of the same server; then the same kiosks and terminals against the no-op
twin (bench/floor/queue_floor_urls.py: same middleware and request schemas, no database).

| measure (closed loop) | real endpoints | hello-world view, same server | no-op twin |
|---|---|---|---|
| tickets issued per second | {c['issue_rate']:.1f} | {c['hello_rate']:.1f} requests/s (issuance = {c['issue_rate'] / c['hello_rate'] * 100 if c['hello_rate'] else 0:.0f} % of it) | {f['issue_rate']:.1f} ({c['issue_rate'] / f['issue_rate'] * 100 if f['issue_rate'] else 0:.0f} %) |
| call-next per second (each followed by start and finish) | {c['call_rate']:.1f} | | {f['call_rate']:.1f} |
| requests per second in the call loop | {c['call_requests_rate']:.1f} | | {f['call_requests_rate']:.1f} |
| server / database CPU | {c['issue_cpu']['server_cores']:.2f} / {c['issue_cpu']['db_cores']:.2f} cores (issuing) | {c['hello_cpu']['server_cores']:.2f} cores | {f['issue_cpu']['server_cores']:.2f} cores |
| load average at start → end | {_load(c['issue_cpu'])} | {_load(c['hello_cpu'])} | {_load(f['issue_cpu'])} |
| errors | {c['issue_errors'] + c['call_errors']} | {c['hello_errors']} | {f['issue_errors'] + f['call_errors']} |

Correctness over all runs (SQL): {k['calls']} calls of {k['tickets']} tickets; tickets called twice:
{k['called_twice']}; queues with a repeated or skipped number: {len(k['queues_with_gap_or_repeat'])}; `onewindow audit
verify` afterwards (a worker sealed the audit entries every 2 s throughout): {' '.join(k.get('audit_verify', []))}.

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
