"""`onewindow unlock [USERNAME] [--address IP] --operator NAME --reason TEXT`: lift a sign-in lock,
with an audit entry naming who did it and why (django-axes' own reset commands write none)."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.accounts import recovery
from onewindow.core.errors import ServiceError


class Command(BaseCommand):
    help = "Unlock an account (every address) or a client address after failed sign-ins, audited."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="")
        parser.add_argument("--address", default="", help="only this client address (alone: the whole address)")
        parser.add_argument("--operator", required=True, help="who unlocks (the service desk's name for you)")
        parser.add_argument("--reason", required=True, help="how the person was identified, the ticket number")

    def handle(self, *args, username, address, operator, reason, **options):
        try:
            removed = recovery.unlock(username=username, address=address, operator=operator, reason=reason)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已解锁，清除失败登录记录 {removed} 条")
