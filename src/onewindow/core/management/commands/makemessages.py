"""`makemessages` that also extracts the `_l(...)` alias (gettext_lazy as _l), used in views."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
