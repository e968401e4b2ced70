"""`points_rating_bonus [--month YYYY-MM]`: pay a month's top-3 rated reporters (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fieldcast.points.tasks import rating_month_bonus


class Command(BaseCommand):
    help = "Pay the monthly viewer-rating bonus (last month by default). Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: last month)")

    def handle(self, *args: Any, **options: Any) -> None:
        paid = rating_month_bonus(options.get("month"))
        self.stdout.write(f"{paid} place(s) paid or already paid")
