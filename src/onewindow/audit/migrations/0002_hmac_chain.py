"""Re-chain the audit log with HMAC-SHA-256 under the audit key (ADR 0171).

The plain SHA-256 chain is checked first: a broken chain is not silently blessed, the
migration stops naming the entry. The old head hash is logged so it stays on record.
"""

import hashlib
import json
import logging

from django.db import migrations

log = logging.getLogger("onewindow.audit")


def rechain(apps, schema_editor):
    from onewindow.audit.services import GENESIS, _canonical, entry_hash

    Entry = apps.get_model("audit", "AuditEntry")
    Head = apps.get_model("audit", "AuditHead")

    def fields(e):
        return {"seq": e.seq, "at": e.at.isoformat(), "actor_id": e.actor_id, "actor_name": e.actor_name,
                "role": e.role, "site_code": e.site_code, "action": e.action, "object_type": e.object_type,
                "object_id": str(e.object_id), "before": json.loads(_canonical(e.before)),
                "after": json.loads(_canonical(e.after))}

    old_prev, new_prev, last = GENESIS, GENESIS, 0
    while True:
        rows = list(Entry.objects.filter(seq__gt=last).order_by("seq")[:2000])
        if not rows:
            break
        for e in rows:
            f = fields(e)
            if e.prev_hash != old_prev or hashlib.sha256((old_prev + _canonical(f)).encode()).hexdigest() != e.hash:
                raise RuntimeError(f"audit chain broken at entry #{e.seq} before the HMAC migration; "
                                   "investigate before migrating")
            old_prev = e.hash
            e.prev_hash, e.hash = new_prev, entry_hash(new_prev, f)
            new_prev, last = e.hash, e.seq
        Entry.objects.bulk_update(rows, ["prev_hash", "hash"])
    if last:
        log.warning("audit chain re-chained with HMAC: %s entries; old SHA-256 head %s", last, old_prev)
    Head.objects.filter(id=1).update(last_seq=last, last_hash=new_prev)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]
