"""The audit chain: entries appended without a lock, sealed into the chain by one sealer (ADR 0200).

`record` is one plain INSERT inside the caller's transaction: no head lock, no hash, so audited
writes of the platform no longer serialise on one row. `seal` gives the entries that have become
visible committed, in id order, the next gap-free chain positions (`chain_seq`), each with the
previous entry's hash and its own: HMAC-SHA-256 under the audit key of the previous hash and the
entry's content (its chain position included). One short transaction holding the head row lock,
which only sealers take. The worker seals every ~2 s; `audit verify` and checkpoints seal first.

The key (ONEWINDOW_AUDIT_KEY, default derived from the secret key) is never stored in the
database, so a database writer can edit sealed rows but cannot compute valid hashes for them.
Checkpoints of the head (audit.checkpoints) are written outside the database, so a chain
truncated and re-chained from an earlier point is caught as well.
"""

import datetime
import hashlib
import hmac
import json
import logging
import threading

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from onewindow.accounts.models import User

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
SEAL_BATCH = 2000
UNSEALED_LIMIT = datetime.timedelta(minutes=2)  # an older unsealed entry means the sealer stopped
log = logging.getLogger("onewindow.audit")


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
    """What the hash covers: everything but the hashes and the entry's id, with its chain position
    under the name "seq" (entries chained before ADR 0200 had chain position = id)."""
    return {
        "seq": entry.chain_seq,
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


# ---------------------------------------------------------------- appending: one INSERT, no lock

_COLUMNS = ["at", "actor_id", "actor_name", "role", "site_code", "action", "object_type", "object_id", "before",
            "after", "prev_hash"]
_counter = threading.local()  # entries recorded by this thread (Django's connections are per thread too)


_INSERT: dict[str, str] = {}


def _insert_sql() -> str:
    sql = _INSERT.get(connection.vendor)
    if sql is None:
        ops = connection.ops
        json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
        values = ["%s"] * 8 + [f"%s{json_cast}", f"%s{json_cast}", "''"]
        sql = (f"INSERT INTO {ops.quote_name(AuditEntry._meta.db_table)} "
               f"({', '.join(ops.quote_name(c) for c in _COLUMNS)}) VALUES ({', '.join(values)})")
        _INSERT[connection.vendor] = sql
    return sql


def recorded_count() -> int:
    """How many entries this thread has recorded so far (the admin's trail tells its own from a service's)."""
    return getattr(_counter, "n", 0)


def prepare(*, actor: User | None, action: str, obj_type: str, obj_id, before=None, after=None,
            site_code: str = "") -> tuple[AuditEntry, str, list]:
    """The entry `record` would append, its INSERT (without RETURNING) and the parameters: for a caller
    that sends it inside one statement with its own writes (a data-modifying WITH on PostgreSQL), then
    calls `appended(entry, id)`."""
    user = actor if getattr(actor, "pk", None) else None
    before_text = None if before is None else _canonical(before)
    after_text = None if after is None else _canonical(after)
    entry = AuditEntry(
        at=timezone.now(),
        actor=user,
        actor_name=(user.username if user else (str(actor) if actor else "system")),
        role=getattr(user, "role", "") if user else "system",
        site_code=site_code or (user.site.code if user and user.site_id else ""),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        before=None if before_text is None else json.loads(before_text),
        after=None if after_text is None else json.loads(after_text),
        prev_hash="",
    )
    params = [connection.ops.adapt_datetimefield_value(entry.at), entry.actor_id, entry.actor_name, entry.role,
              entry.site_code, entry.action, entry.object_type, entry.object_id, before_text, after_text]
    return entry, _insert_sql(), params


def appended(entry: AuditEntry, seq: int) -> AuditEntry:
    entry.seq = seq
    entry._state.adding, entry._state.db = False, "default"
    _counter.n = recorded_count() + 1
    return entry


def record(*, actor: User | None, action: str, obj_type: str, obj_id, before=None, after=None, site_code: str = "") -> AuditEntry:
    """Append an unsealed entry in the caller's transaction: one INSERT, written once here (not compiled
    by the ORM on every call), no lock taken. It joins the chain when the sealer next runs."""
    entry, sql, params = prepare(actor=actor, action=action, obj_type=obj_type, obj_id=obj_id, before=before,
                                 after=after, site_code=site_code)
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cur:
        cur.execute(sql + (f" RETURNING {connection.ops.quote_name('seq')}" if returning else ""), params)
        return appended(entry, cur.fetchone()[0] if returning else cur.lastrowid)


# ---------------------------------------------------------------- sealing: one sealer at a time


class SealRefused(Exception):
    """The head does not agree with the chain or with the last checkpoint: sealing would bless tampering."""

    def __init__(self, chain_seq: int, reason: str):
        super().__init__(f"audit chain broken at #{chain_seq}: {reason}")
        self.problem = (chain_seq, reason)


_last_sealed: dict[str, tuple[int, str]] = {}  # database name -> (position, hash) this process last sealed


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(id=1).first()
    if head is None:  # a new chain (a fresh database): nothing sealed before in it
        _last_sealed.pop(connection.settings_dict["NAME"], None)
        AuditHead.objects.bulk_create([AuditHead(id=1)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(id=1)
    return head


def _check_head(head: AuditHead) -> None:
    """The head must be the chain's last entry, not behind what this process sealed or the last
    checkpoint: else someone moved it back (to have edited entries sealed again) and sealing stops."""
    from .checkpoints import last as last_checkpoint

    if head.last_seq:
        stored = AuditEntry.objects.filter(chain_seq=head.last_seq).values_list("hash", flat=True).first()
        if stored != head.last_hash:
            raise SealRefused(head.last_seq, "the head does not match its entry (edited or removed)")
    if AuditEntry.objects.filter(chain_seq__gt=head.last_seq).exists():
        raise SealRefused(head.last_seq + 1, "sealed entries beyond the head (the head was moved back)")
    for seq, known in (_last_sealed.get(connection.settings_dict["NAME"], (0, "")), last_checkpoint()):
        if seq and seq > head.last_seq:
            raise SealRefused(seq, "the head is behind what was already sealed (entries removed or unsealed)")
        if seq and AuditEntry.objects.filter(chain_seq=seq).values_list("hash", flat=True).first() != known:
            raise SealRefused(seq, "an entry differs from what was already sealed (chain rewritten)")


def seal(batch: int = SEAL_BATCH, key: bytes | None = None) -> int:
    """Chain every committed unsealed entry (id order, batches of `batch`); returns how many.
    Raises SealRefused when the head disagrees with the chain or the last checkpoint."""
    key = key or audit_key()
    total = 0
    while True:
        with transaction.atomic():
            head = _locked_head()  # only sealers take this lock; writers of entries never wait for it
            if total == 0:
                try:
                    _check_head(head)
                except SealRefused as exc:
                    log.error("audit sealer refuses to seal: %s", exc)
                    raise
            rows = list(AuditEntry.objects.filter(chain_seq__isnull=True).order_by("seq")[:batch])
            if not rows:
                return total
            prev, position = head.last_hash, head.last_seq
            for e in rows:
                position += 1
                e.chain_seq, e.prev_hash = position, prev
                e.hash = prev = entry_hash(prev, hashed_fields(e), key)
            AuditEntry.objects.bulk_update(rows, ["chain_seq", "prev_hash", "hash"], batch_size=500)
            head.last_seq, head.last_hash = position, prev
            head.save(update_fields=["last_seq", "last_hash"])
        _last_sealed[connection.settings_dict["NAME"]] = (position, prev)
        total += len(rows)
        if len(rows) < batch:
            return total


# ---------------------------------------------------------------- walking the chain


def walk(key: bytes | None = None, batch: int = 5000, unsealed_limit: datetime.timedelta = UNSEALED_LIMIT):
    """Walk the chain by position; return (None, last position, last hash) when intact, else ((position, reason), …).
    An entry left unsealed longer than `unsealed_limit` is a problem too: the sealer stopped."""
    key = key or audit_key()
    prev_hash, expected = GENESIS, 1
    qs = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("chain_seq")
    last = 0
    while True:
        rows = list(qs.filter(chain_seq__gt=last)[:batch])
        if not rows:
            break
        for e in rows:
            if e.chain_seq != expected:
                return (expected, "missing entry (removed)"), last, prev_hash
            if e.prev_hash != prev_hash:
                return (e.chain_seq, "prev_hash does not match the previous entry"), last, prev_hash
            if not hmac.compare_digest(entry_hash(e.prev_hash, hashed_fields(e), key), e.hash or ""):
                return (e.chain_seq, "content does not match its hash (edited, or another audit key)"), last, prev_hash
            prev_hash, expected, last = e.hash or "", e.chain_seq + 1, e.chain_seq
    head = AuditHead.objects.filter(id=1).first()
    if head and head.last_seq != last:
        return (last + 1, "entries after the last one were removed"), last, prev_hash
    stale = (AuditEntry.objects.filter(chain_seq__isnull=True, at__lt=timezone.now() - unsealed_limit)
             .order_by("seq").values_list("seq", flat=True).first())
    if stale is not None:
        return (last + 1, f"entry id {stale} unsealed for more than {unsealed_limit.total_seconds():.0f} s "
                          "(the sealer is not running, or refuses)"), last, prev_hash
    return None, last, prev_hash


def verify(batch: int = 5000, key: bytes | None = None, checkpoints: bool = True, seal_first: bool = True):
    """None when the chain is intact under the key and agrees with every checkpoint written
    outside the database; else (position, reason) of the first problem. Seals what is committed first."""
    from .checkpoints import check_against

    refused = None
    if seal_first:
        try:
            seal(key=key)
        except SealRefused as exc:  # reported after the walk and the checkpoints, which name the entry
            refused = exc.problem
    broken, _last, _hash = walk(key, batch)
    if broken is None and checkpoints:
        broken = check_against(key or audit_key())
    return broken or refused
