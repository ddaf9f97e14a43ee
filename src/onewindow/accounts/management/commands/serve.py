"""`onewindow serve [--port N]`: the platform on a production WSGI server (waitress)."""

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform (waitress WSGI server)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, port, host, threads, **options):
        from waitress import serve

        from onewindow.wsgi import application

        self.stdout.write(f"OneWindow 一窗通办: http://{host}:{port}/")
        serve(application, host=host, port=port, threads=threads, ident="onewindow")
