"""`onewindow serve [--port N]`: the platform on a production WSGI server.

gunicorn (several worker processes, each with threads) where it runs (POSIX); waitress,
single process, elsewhere or with `--server waitress`. Static files are served by WhiteNoise.
"""

import os

from django.core.management.base import BaseCommand


def _gunicorn(application, host, port, workers, threads):
    from gunicorn.app.base import BaseApplication

    class App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", os.environ.get("ONEWINDOW_ACCESS_LOG") or None)
            self.cfg.set("timeout", 60)
            # Idle keep-alive connections are closed by the proxy first (nginx's upstream
            # keepalive_timeout 60s, deploy/nginx): were gunicorn to close them first (its default
            # is 2 s), nginx could send a POST on a connection being closed and answer 502.
            self.cfg.set("keepalive", 75)
            self.cfg.set("control_socket_disable", True)  # several servers may run on one host

        def load(self):
            return application

    App().run()


class Command(BaseCommand):
    help = "Serve the platform (gunicorn; waitress where gunicorn cannot run)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1))))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("ONEWINDOW_THREADS", "4")))
        parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn" if os.name == "posix" else "waitress")

    def handle(self, *args, port, host, workers, threads, server, **options):
        from onewindow.wsgi import application

        self.stdout.write(f"OneWindow 一窗通办: http://{host}:{port}/ ({server})")
        self.stdout.flush()
        if server == "gunicorn":
            _gunicorn(application, host, port, workers, threads)
        else:
            from waitress import serve

            serve(application, host=host, port=port, threads=threads * workers, ident="onewindow")
