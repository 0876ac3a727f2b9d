"""python manage.py dev: migrate, then run the web server, the Celery worker with beat, the images worker."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run this service for development: web on --bind, a Celery worker with beat, an images worker."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8080")

    def handle(self, *args, bind, **options):
        call_command("migrate", interactive=False, verbosity=1)
        self.stdout.write(
            f"Database: {settings.DATABASES['default']['HOST'] or 'local socket'}"
            f"/{settings.DATABASES['default']['NAME']}"
        )
        self.stdout.write(f"Saleor:   {settings.SALEOR_API_URL or '(SALEOR_API_URL not set)'}")
        self.stdout.write(f"Serving:  http://{bind}  (manifest at {settings.APP_PUBLIC_URL}/saleor/manifest)")
        celery = [sys.executable, "-m", "celery", "-A", "wenchuang", "worker", "-l", "info"]
        processes = [
            subprocess.Popen([sys.executable, "manage.py", "runserver", bind, "--noreload"]),  # noqa: S603
            subprocess.Popen(  # noqa: S603
                [*celery, "--beat", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-c", "2", "-n", "main@%h"]
            ),
            # Image decoding (up to 760 MB for 50 MP) one at a time, in a worker of its own.
            subprocess.Popen([*celery, "-Q", settings.CELERY_IMAGES_QUEUE, "-c", "1", "-n", "images@%h"]),  # noqa: S603
        ]

        def stop(*_):
            for process in processes:
                process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes):  # stop all when any exits
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                process.wait(timeout=10)
