"""`onewindow restore DIR --yes`: replace the database, uploaded files and audit checkpoints with a backup."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from onewindow.core.backup import restore
from onewindow.core.errors import ServiceError


class Command(BaseCommand):
    help = "Restore a backup made by `onewindow backup` (everything since it is lost; --yes to confirm)."

    def add_arguments(self, parser):
        parser.add_argument("dir")
        parser.add_argument("--yes", action="store_true", help="confirm: the current data is replaced")

    def handle(self, *args, dir, yes, **options):
        if not yes:
            raise CommandError("restore replaces the database, the uploaded files and the audit checkpoints: "
                               "run again with --yes to confirm")
        with tqdm(total=3, desc="restore", unit="part") as bar:
            try:
                manifest = restore(dir, progress=lambda name: bar.update(1))
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(f"restored the backup of {manifest['created_at']} "
                          f"(audit head #{manifest['audit_head']['seq']})")
