"""`onewindow reset_2fa USERNAME --operator NAME --reason TEXT`: remove a lost authenticator, audited.

The user enrols a new one at the next sign-in when their role requires a second factor."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.accounts import recovery
from onewindow.core.errors import ServiceError


class Command(BaseCommand):
    help = "Remove a user's second-factor devices (lost phone), with an audit entry."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--operator", required=True, help="who resets (the service desk's name for you)")
        parser.add_argument("--reason", required=True, help="how the person was identified, the ticket number")

    def handle(self, *args, username, operator, reason, **options):
        try:
            removed = recovery.reset_second_factor(username=username, operator=operator, reason=reason)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已移除 {removed} 个验证器；该用户下次登录时重新绑定")
