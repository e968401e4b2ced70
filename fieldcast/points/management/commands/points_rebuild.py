"""`points_rebuild`: recompute cached totals from the ledger and report every difference."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fieldcast.points.rebuild import points_rebuild_compare, points_rebuild_fix

SHOWN = 20


class Command(BaseCommand):
    help = "Recompute every user's points total (and weekly/monthly totals) from the ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report differences (exit status 1 if any); change nothing.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON line at the end.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = points_rebuild_compare()
        differences = len(report.total_differences) + len(report.period_differences)
        for user_id, have, want in report.total_differences[:SHOWN]:
            self.stdout.write(f"user {user_id}: cached total {have}, ledger {want}")
        for user_id, period, start, have, want in report.period_differences[:SHOWN]:
            self.stdout.write(f"user {user_id} {period} {start}: cached {have}, ledger {want}")
        if differences > 2 * SHOWN:
            self.stdout.write(f"... {differences} differences in all")
        if differences and not options["check"]:
            points_rebuild_fix(report=report)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"ledger rows: {report.ledger_rows}, users: {report.users}, "
            f"total differences: {len(report.total_differences)}, "
            f"period differences: {len(report.period_differences)}, "
            f"{'fixed' if report.fixed else 'not changed'}, {seconds:.2f} s"
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ledger_rows": report.ledger_rows,
                        "users": report.users,
                        "total_differences": len(report.total_differences),
                        "period_differences": len(report.period_differences),
                        "fixed": report.fixed,
                        "seconds": round(seconds, 3),
                    }
                )
            )
        if differences and options["check"]:
            raise CommandError(f"{differences} cached totals differ from the ledger")
