"""Checkpoints of the audit chain's head, kept outside the database.

One JSON line per checkpoint ({"seq" (a chain position), "hash", "at", "mac"}, the mac an HMAC under the audit
key) appended to checkpoints.jsonl in ONEWINDOW_AUDIT_CHECKPOINT_DIR (default var/audit/) and written
to the `onewindow.audit` log. `verify` then requires every checkpointed entry to still exist
with the same hash: a database writer who truncates the chain and re-chains it from an earlier
point cannot reproduce the hashes the file (and the log) already hold.
"""

import hashlib
import hmac
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead

log = logging.getLogger("onewindow.audit")


def path() -> Path:
    return Path(getattr(settings, "ONEWINDOW_AUDIT_CHECKPOINT_DIR", "") or Path(settings.VAR_DIR) / "audit") / "checkpoints.jsonl"


def _mac(key: bytes, seq: int, head_hash: str, at: str) -> str:
    return hmac.new(key, f"checkpoint:{seq}:{head_hash}:{at}".encode(), hashlib.sha256).hexdigest()


def read() -> list[dict]:
    p = path()
    if not p.exists():
        return []
    out = []
    with p.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    out.append({"invalid": line[:80]})
    return out


def last() -> tuple[int, str]:
    """(position, hash) of the file's last checkpoint, read from its tail; (0, "") when there is none.
    The sealer refuses a head behind it (audit.services.seal)."""
    p = path()
    try:
        with p.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 4096))
            lines = [x for x in fh.read().decode("utf-8", "replace").splitlines() if x.strip()]
    except FileNotFoundError:
        return 0, ""
    try:
        point = json.loads(lines[-1]) if lines else {}
    except ValueError:
        return 0, ""  # a damaged line: check_against reports it
    seq = point.get("seq")
    return (seq, str(point.get("hash"))) if isinstance(seq, int) else (0, "")


def write(key: bytes | None = None) -> dict | None:
    """Seal what is committed, then append a checkpoint of the head when it moved since the last
    one; returns it."""
    from .services import audit_key, seal

    key = key or audit_key()
    seal(key=key)
    with transaction.atomic():
        head = AuditHead.objects.filter(id=1).first()
    if head is None or head.last_seq == 0:
        return None
    existing = read()
    if existing and existing[-1].get("seq") == head.last_seq and existing[-1].get("hash") == head.last_hash:
        return None
    at = timezone.now().isoformat()
    point = {"seq": head.last_seq, "hash": head.last_hash, "at": at, "mac": _mac(key, head.last_seq, head.last_hash, at)}
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(point, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    log.info("audit checkpoint seq=%s hash=%s at=%s", point["seq"], point["hash"], at)
    return point


def check_against(key: bytes):
    """None when every checkpoint is authentic and its entry still carries its hash."""
    points = read()
    if not points:
        return None
    hashes = dict(AuditEntry.objects.filter(chain_seq__in=[p.get("seq") for p in points if isinstance(p.get("seq"), int)])
                  .values_list("chain_seq", "hash"))
    for p in points:
        seq, head_hash, at = p.get("seq"), p.get("hash"), p.get("at")
        if not isinstance(seq, int) or not hmac.compare_digest(str(p.get("mac", "")), _mac(key, seq, str(head_hash), str(at))):
            return seq if isinstance(seq, int) else 0, "checkpoint file entry is not authentic (edited, or another audit key)"
        if seq not in hashes:
            return seq, f"entry #{seq} checkpointed at {at} is missing (chain truncated)"
        if hashes[seq] != head_hash:
            return seq, f"entry #{seq} differs from its checkpoint of {at} (chain rewritten)"
    return None
