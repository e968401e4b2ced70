"""`python -m fieldcast <command>`: the same commands as manage.py (up, demo, migrate, ...)."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")
    execute_from_command_line(["fieldcast", *sys.argv[1:]])


if __name__ == "__main__":
    main()
