"""`onewindow generate_items --total 1057`: fill the catalogue with synthetic (GEN-) items."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.catalog.generate import current_count, fill_catalogue


class Command(BaseCommand):
    help = "Add synthetic service items (codes GEN-…) until the catalogue has --total current items."

    def add_arguments(self, parser):
        parser.add_argument("--total", type=int, default=1057, help="target number of current items (default 1057)")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, total, no_progress, **options):
        if total < 0:
            raise CommandError("--total must not be negative")
        added = fill_catalogue(total=total, progress=not no_progress)
        self.stdout.write(self.style.SUCCESS(f"added {added} synthetic items; catalogue now has {current_count()} current items"))
