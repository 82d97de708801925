"""The Celery worker really runs tasks from the embedded filesystem broker."""

import os
import subprocess
import sys
import time


def _parvis(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "parvis.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_worker_runs_a_task_from_the_filesystem_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PARVIS_VAR_DIR=str(tmp_path), PARVIS_BROKER_URL="filesystem://")
    _parvis(env, "migrate", "--noinput")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "parvis.cli",
            "worker",
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _parvis(env, "shell", "-c", "from parvis.console.tasks import heartbeat; heartbeat.delay()")
        check = (
            "from parvis.console.models import Heartbeat;"
            "print(Heartbeat.objects.filter(name='worker').exists())"
        )
        deadline = time.monotonic() + 90
        seen = False
        while time.monotonic() < deadline and not seen:
            seen = _parvis(env, "shell", "-c", check).stdout.strip().endswith("True")
            if not seen:
                assert worker.poll() is None, worker.stderr.read()
                time.sleep(0.5)
        assert seen, "the worker never ran the task"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
