"""Appending to the audit chain. Call inside the transaction of the action it records.

Each entry's hash is HMAC-SHA-256, under the audit key, of the previous hash and the entry's
content. The key (ONEWINDOW_AUDIT_KEY, default derived from the secret key) is never stored in
the database, so a database writer can edit rows but cannot compute valid hashes for them.
Checkpoints of the head (audit.checkpoints) are written outside the database, so a chain
truncated and re-chained from an earlier point is caught as well.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def audit_key() -> bytes:
    """ONEWINDOW_AUDIT_KEY, or one derived from SECRET_KEY (never the secret key itself)."""
    configured = getattr(settings, "AUDIT_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"onewindow.audit.chain", hashlib.sha256).digest()


def _canonical(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(prev_hash: str, fields: dict, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), (prev_hash + _canonical(fields)).encode(), hashlib.sha256).hexdigest()


def hashed_fields(entry: AuditEntry) -> dict:
    """What the hash covers: everything but the hashes themselves."""
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "role": entry.role,
        "site_code": entry.site_code,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": str(entry.object_id),
        "before": json.loads(_canonical(entry.before)),
        "after": json.loads(_canonical(entry.after)),
    }


@transaction.atomic(savepoint=False)
def record(*, actor: User | None, action: str, obj_type: str, obj_id, before=None, after=None, site_code: str = "") -> AuditEntry:
    try:
        head = AuditHead.objects.select_for_update().get(id=1)
    except AuditHead.DoesNotExist:
        AuditHead.objects.bulk_create([AuditHead(id=1)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(id=1)
    user = actor if getattr(actor, "pk", None) else None
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=user,
        actor_name=(user.username if user else (str(actor) if actor else "system")),
        role=getattr(user, "role", "") if user else "system",
        site_code=site_code or (user.site.code if user and user.site_id else ""),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        before=json.loads(_canonical(before)),
        after=json.loads(_canonical(after)),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry.prev_hash, hashed_fields(entry))
    entry.save(force_insert=True)
    head.last_seq, head.last_hash = entry.seq, entry.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


def walk(key: bytes | None = None, batch: int = 5000):
    """Walk the chain; return (None, last seq, last hash) when intact, else ((seq, reason), …)."""
    key = key or audit_key()
    prev_hash, expected_seq = GENESIS, 1
    qs = AuditEntry.objects.order_by("seq")
    last = 0
    while True:
        rows = list(qs.filter(seq__gt=last)[:batch])
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return (expected_seq, "missing entry (removed)"), last, prev_hash
            if e.prev_hash != prev_hash:
                return (e.seq, "prev_hash does not match the previous entry"), last, prev_hash
            if not hmac.compare_digest(entry_hash(e.prev_hash, hashed_fields(e), key), e.hash):
                return (e.seq, "content does not match its hash (edited, or another audit key)"), last, prev_hash
            prev_hash, expected_seq, last = e.hash, e.seq + 1, e.seq
    head = AuditHead.objects.filter(id=1).first()
    if head and head.last_seq != last:
        return (last + 1, "entries after the last one were removed"), last, prev_hash
    return None, last, prev_hash


def verify(batch: int = 5000, key: bytes | None = None, checkpoints: bool = True):
    """None when the chain is intact under the key and agrees with every checkpoint written
    outside the database; else (seq, reason) of the first problem."""
    from .checkpoints import check_against

    broken, _last, _hash = walk(key, batch)
    if broken is None and checkpoints:
        broken = check_against(key or audit_key())
    return broken
