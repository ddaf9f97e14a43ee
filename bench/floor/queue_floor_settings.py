"""Settings for the hall's do-nothing twin (bench/queue.py): the platform's settings, URLs swapped."""

from onewindow.conf.settings import *  # noqa: F403

ROOT_URLCONF = "queue_floor_urls"
