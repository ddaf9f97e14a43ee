"""`onewindow backup DIR`: the database, the uploaded files and the audit checkpoints into DIR."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from onewindow.core.backup import back_up
from onewindow.core.errors import ServiceError


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API), uploaded files and audit checkpoints into DIR."

    def add_arguments(self, parser):
        parser.add_argument("dir")

    def handle(self, *args, dir, **options):
        with tqdm(total=3, desc="backup", unit="part") as bar:
            try:
                manifest = back_up(dir, progress=lambda name: bar.update(1))
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(f"backup written to {dir}: {len(manifest['files'])} files, "
                          f"audit head #{manifest['audit_head']['seq']}")
