"""The `onewindow` console script: Django's command line under the project's settings.

`onewindow serve`, `demo`, `token`, `worker`, `generate` and `audit verify` are
management commands of the apps; every other Django command works as well.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.conf.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onewindow", *sys.argv[1:]])


if __name__ == "__main__":
    main()
