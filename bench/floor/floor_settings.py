"""Settings for the do-nothing twin of the intake endpoints (bench/intake.py, the "floor" rows).

The platform's own settings (middleware, database, logging) with only the URLs swapped.
"""

from onewindow.conf.settings import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
