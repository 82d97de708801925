import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from parvis.channels import demo_smtp
from parvis.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and beat together (the embedded demo)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, addr, **options):
        parvis = [sys.executable, "-m", "parvis.cli"]
        # SMTP on loopback: mail to the town hall lands in var/mail, polled by the worker.
        smtp, mail_env = demo_smtp.start_for_demo(self.stdout)
        env = {**os.environ, **mail_env}
        processes = [
            subprocess.Popen([*parvis, "runserver", addr, "--noreload"], env=env),
            subprocess.Popen(
                [*parvis, "worker", "--loglevel", "INFO", "--concurrency", "1"], env=env
            ),
            subprocess.Popen([*parvis, "beat", "--loglevel", "INFO"], env=env),
        ]
        url = f"http://{addr}/"
        self.stdout.write(self.style.SUCCESS(f"\nParvis runs at {url}  (API docs: {url}api/docs)"))
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, role, *_names in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role}")
        self.stdout.write("Stop with Ctrl-C.\n")
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            if smtp is not None:
                smtp.stop()
            for p in processes:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM if os.name != "nt" else signal.CTRL_C_EVENT)
            for p in processes:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
