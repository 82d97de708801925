"""The `parvis` command: Django's management commands plus Parvis's own.

`parvis seed --people 1000`, `parvis migrate`, `parvis worker`, `parvis beat`...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "parvis"
    if len(argv) > 1 and argv[1] in {"worker", "beat"}:
        from parvis.celery import app

        app.start(argv[1:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
