"""`onewindow demo`: load or refresh the demo data (idempotent).

Each app that has demo data exposes `<app>.demo.load(stdout)`; they run in dependency order.
"""

import importlib

from django.core.management.base import BaseCommand

from onewindow.accounts.twofactor import demo_devices

ORDER = ["workdays", "regions", "catalog", "accounts", "licences", "cases", "agency", "ratings"]


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
        demo_devices(self.stdout)  # the demo's published second factor (accounts.twofactor)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
