"""The platform's settings with bench/floor/hello_urls.py: the real platform plus a hello-world view."""

from onewindow.conf.settings import *  # noqa: F403

ROOT_URLCONF = "hello_urls"
