"""`onewindow catalogue_excel export PATH` / `onewindow catalogue_excel import PATH [--user NAME]`.

Export writes the current catalogue (sheets 事项, 材料, 收费); import validates the whole
workbook first and imports nothing when any row is wrong (exit status 1, one line per error).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from onewindow.catalog import excel, selectors


class Command(BaseCommand):
    help = "Export the service catalogue to an Excel workbook, or import one (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("path")
        parser.add_argument("--user", default="", help="username recorded as the actor of an import")

    def handle(self, *args, action, path, user, **options):
        if action == "export":
            versions = selectors.current_versions(published_only=False).order_by("item__code")
            wb = excel.export_catalogue(versions)
            wb.save(path)
            self.stdout.write(self.style.SUCCESS(f"exported {versions.count()} items to {path}"))
            return
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"no such user: {user}")
        try:
            with open(path, "rb") as fh:
                result = excel.import_catalogue(fh, actor=actor)
        except FileNotFoundError:
            raise CommandError(f"no such file: {path}") from None
        if result.errors:
            for err in result.errors:
                self.stderr.write(str(err))
            self.stderr.write(f"{len(result.errors)} error(s); nothing was imported")
            raise SystemExit(1)
        self.stdout.write(
            self.style.SUCCESS(
                f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
            )
        )
