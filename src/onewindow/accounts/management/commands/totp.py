"""`onewindow totp USERNAME`: the current code of a demo account's published TOTP key.

Only devices the demo created (named "demo", with the key published in the README) are read;
a real user's device is refused.
"""

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts.twofactor import DEMO_KEY_HEX


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (demo devices only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        device = TOTPDevice.objects.filter(user__username=username, name="demo", key=DEMO_KEY_HEX).first()
        if device is None:
            raise CommandError(f"{username} has no demo second-factor device")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
