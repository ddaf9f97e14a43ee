"""`onewindow audit verify|checkpoint`.

`verify` checks the HMAC chain under the audit key (ONEWINDOW_AUDIT_KEY, or `--key`) and
against the checkpoints written outside the database; exit 1 naming the first broken entry.
`checkpoint` writes a checkpoint of the head now (the worker does so every round).
"""

import sys

from django.core.management.base import BaseCommand

from onewindow.audit import checkpoints
from onewindow.audit.models import AuditEntry
from onewindow.audit.services import verify


class Command(BaseCommand):
    help = "Audit log tools: `verify` checks the hash chain and its checkpoints; `checkpoint` writes one."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument("--key", default="", help="verify under this audit key instead of the configured one")

    def handle(self, *args, action, key="", **options):
        if action == "checkpoint":
            point = checkpoints.write()
            if point is None:
                self.stdout.write("audit checkpoint: head unchanged since the last checkpoint")
            else:
                self.stdout.write(f"audit checkpoint: #{point['seq']} {point['hash']} at {point['at']} → {checkpoints.path()}")
            return
        broken = verify(key=key.encode() if key else None)
        if broken is None:
            self.stdout.write(f"audit chain intact: {AuditEntry.objects.count()} entries, "
                              f"{len(checkpoints.read())} checkpoints agree")
            return
        seq, reason = broken
        self.stderr.write(f"audit chain broken at entry #{seq}: {reason}")
        sys.exit(1)
