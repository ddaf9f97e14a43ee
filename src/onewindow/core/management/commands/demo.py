"""`onewindow demo`: load or refresh the demo data (idempotent).

Each app that has demo data exposes `<app>.demo.load(stdout)`; they run in dependency order.
"""

import importlib

from django.core.management.base import BaseCommand

ORDER = ["workdays", "regions", "catalog", "intermediaries", "accounts", "licences", "cases", "agency", "ratings"]


class Command(BaseCommand):
    help = "Load or refresh the demo data (idempotent)."

    def handle(self, *args, **options):
        for app in ORDER:
            try:
                module = importlib.import_module(f"onewindow.{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"onewindow.{app}.demo":
                    raise
                continue
            self.stdout.write(f"demo: {app} …")
            module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
