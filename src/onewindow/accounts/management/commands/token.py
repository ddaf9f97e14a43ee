"""`onewindow token USERNAME`: print a new API token for that user."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.accounts import services
from onewindow.accounts.models import User


class Command(BaseCommand):
    help = "Print a new API token for a user."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"no such user: {username}") from exc
        self.stdout.write(services.issue_token(user, label="cli"))
