"""`onewindow demo [--reset] [--history]`: load the demo data — create what is missing, never change what exists.

Each app that has demo data exposes `<app>.demo.load(stdout)`; they run in dependency order. An
administrator's edit to an item, a site or a user survives `onewindow demo`; `--reset` restores the
demo values (loaders that take `reset`). Cases and ratings of the demo are created once and never
touched again (a reset does not undo what happened to them). `--history` adds about 90 days of
generated cases once (core.demo_history).
"""

import importlib
import inspect

from django.core.management.base import BaseCommand

from onewindow.accounts.twofactor import demo_devices

ORDER = ["workdays", "regions", "catalog", "intermediaries", "accounts", "licences", "cases", "agency", "ratings", "queue"]


class Command(BaseCommand):
    help = "Load the demo data: create what is missing, never change what exists (--reset: restore demo values)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="restore the demo values of demo departments, items, sites, users and search words")
        parser.add_argument("--history", action="store_true",
                            help="also generate about 90 days of past cases when there are none yet "
                                 "(ONEWINDOW_DEMO_HISTORY=0 skips it; make run passes this)")

    def handle(self, *args, reset=False, history=False, **options):
        for app in ORDER:
            try:
                module = importlib.import_module(f"onewindow.{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"onewindow.{app}.demo":
                    raise
                continue
            self.stdout.write(f"demo: {app} …")
            if "reset" in inspect.signature(module.load).parameters:
                module.load(stdout=self.stdout, reset=reset)
            else:
                module.load(stdout=self.stdout)
        if history:
            from onewindow.core import demo_history

            self.stdout.write("demo: history …")
            demo_history.load(stdout=self.stdout)
        demo_devices(self.stdout)  # the demo's published second factor (accounts.twofactor)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
