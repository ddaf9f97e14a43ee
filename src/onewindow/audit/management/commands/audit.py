"""`onewindow audit verify`: check the audit hash chain; exit 1 naming the first broken entry."""

import sys

from django.core.management.base import BaseCommand

from onewindow.audit.models import AuditEntry
from onewindow.audit.services import verify


class Command(BaseCommand):
    help = "Audit log tools: `verify` checks the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        broken = verify()
        if broken is None:
            self.stdout.write(f"audit chain intact: {AuditEntry.objects.count()} entries")
            return
        seq, reason = broken
        self.stderr.write(f"audit chain broken at entry #{seq}: {reason}")
        sys.exit(1)
