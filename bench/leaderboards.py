"""Leaderboards, ledger rebuild and the staff dashboard at scale: 100k users, 100k ledger rows,
200k activity-trail rows.

    .venv/bin/python bench/leaderboards.py [--users 100000] [--events 100000] [--requests 200]
        [--activities 200000]

Uses DATABASE_URL when set (PostgreSQL: the scaled mode), else a SQLite file under
FIELDCAST_VAR_DIR (default /tmp/fc-bench-leaderboards). The data is made once (bulk inserts that
keep the caches equal to the ledger, as the services would) and reused by later runs.

It measures, through Django's test client (URL routing, middleware, selector, template: the whole
Django request, without the HTTP server):
  - the public board pages: week, month, all time, week for one city, and the weekly board API;
  - the `points_rebuild` command over the whole ledger (must report zero differences);
and checks with EXPLAIN that every board query reads an index. Target: p95 <= 50 ms per board.
It also times one `activity_record` insert (the hot-path cost of the activity trail) and the staff
dashboard page (charts and segments over 90 days of the trail; no target, for the record).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITIES = [
    "Lagos", "Abuja", "Kano", "Ibadan", "Jos", "Enugu", "Accra", "Kumasi", "Nairobi", "Mombasa",
    "Kampala", "Dakar", "Bamako", "Cotonou", "Lomé", "Douala", "Kigali", "Lusaka", "Harare", "Maputo",
]  # fmt: skip
BOARDS = [
    ("week", "/points/leaderboards/week/"),
    ("month", "/points/leaderboards/month/"),
    ("all", "/points/leaderboards/all/"),
    ("week_city", "/points/leaderboards/week/?city=Lagos"),
    ("all_city", "/points/leaderboards/all/?city=Lagos"),
    ("api_week", "/api/v1/points/leaderboards/week/"),
]
TARGET_P95_MS = 50.0


def _setup_django() -> None:
    os.environ.setdefault("FIELDCAST_VAR_DIR", "/tmp/fc-bench-leaderboards")  # noqa: S108
    Path(os.environ["FIELDCAST_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no access-log line per request
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _make_data(n_users: int, n_events: int) -> float:
    """Users, a ledger of n_events rows and caches equal to it. Returns seconds taken."""
    from django.db import transaction
    from django.utils import timezone

    from fieldcast.accounts.models import User
    from fieldcast.points import levels
    from fieldcast.points.models import PointEvent, PointsAccount, PointsPeriodTotal
    from fieldcast.points.services import period_starts

    started = time.perf_counter()
    rng = random.Random(8)  # deterministic data
    now = timezone.now()
    rules = [("video_published", 10), ("used_on_air", 50), ("comment", 1), ("like_received", 1)]
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    email=f"bench{i}@example.org",
                    display_name=f"Reporter {i}",
                    city=CITIES[i % len(CITIES)],
                    password="!",  # noqa: S106 - unusable: nobody logs in as these
                )
                for i in range(n_users)
            ],
            batch_size=5000,
        )
        ids = list(
            User.objects.filter(email__startswith="bench").order_by("pk").values_list("pk", "city")
        )
        totals: dict[int, int] = {}
        periods: dict[tuple[int, str, object], int] = {}
        events = []
        for n in range(n_events):
            user_id, _city = ids[n % len(ids)] if n < len(ids) else rng.choice(ids)
            rule, points = rng.choice(rules)
            at = now - timedelta(seconds=rng.randint(0, 40 * 86400))
            starts = period_starts(at)
            events.append(
                PointEvent(
                    user_id=user_id,
                    rule=rule,
                    points=points,
                    base_points=points,
                    obj_ref=f"bench:{n}",
                    key=f"bench:{n}",
                    created_at=at,
                    week=starts["week"],
                    month=starts["month"],
                )
            )
            totals[user_id] = totals.get(user_id, 0) + points
            for period, start in starts.items():
                periods[(user_id, period, start)] = (
                    periods.get((user_id, period, start), 0) + points
                )
        PointEvent.objects.bulk_create(events, batch_size=5000)
        cities = dict(ids)
        hidden = {user_id for user_id, _ in ids if rng.random() < 0.02}
        PointsAccount.objects.bulk_create(
            [
                PointsAccount(
                    user_id=user_id,
                    total=total,
                    level=levels.level_for(total),
                    city=cities[user_id],
                    hide_from_boards=user_id in hidden,
                )
                for user_id, total in totals.items()
            ],
            batch_size=5000,
        )
        PointsPeriodTotal.objects.bulk_create(
            [
                PointsPeriodTotal(
                    user_id=user_id,
                    period=period,
                    start=start,
                    points=points,
                    city=cities[user_id],
                    hidden=user_id in hidden,
                )
                for (user_id, period, start), points in periods.items()
            ],
            batch_size=5000,
        )
    return time.perf_counter() - started


def _make_activities(n_rows: int) -> float:
    """n_rows activity-trail rows spread over 90 days, most of them views. Returns seconds."""
    from django.db import transaction
    from django.utils import timezone

    from fieldcast.accounts.models import User
    from fieldcast.points.models import Activity

    started = time.perf_counter()
    rng = random.Random(9)
    ids = list(User.objects.filter(email__startswith="bench").values_list("pk", flat=True))
    kinds = ["view"] * 60 + ["login"] * 15 + ["like"] * 10 + ["comment"] * 8 + ["upload"] * 5
    kinds += ["live"] * 2
    now = timezone.now()
    with transaction.atomic():
        batch = []
        for n in range(n_rows):
            at = now - timedelta(seconds=rng.randint(0, 90 * 86400 - 1))
            batch.append(
                Activity(
                    user_id=rng.choice(ids),
                    kind=rng.choice(kinds),
                    obj_ref=f"bench:{n}",
                    day=timezone.localdate(at),
                    created_at=at,
                )
            )
            if len(batch) == 5000:
                Activity.objects.bulk_create(batch)
                batch = []
        Activity.objects.bulk_create(batch)
    return time.perf_counter() - started


def _time_activity_record(count: int) -> dict[str, float]:
    """One `activity_record` call at a time, each its own transaction (as on a page)."""
    from fieldcast.accounts.models import User
    from fieldcast.points.services import activity_record

    user = User.objects.filter(email__startswith="bench").order_by("pk").first()
    samples = []
    for n in range(count):
        started = time.perf_counter()
        activity_record(user=user, kind="view", obj=f"bench-timed:{n}")
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(_percentile(samples, 0.95), 3),
    }


def _time_dashboard(requests: int) -> dict[str, float]:
    from django.test import Client

    from fieldcast.accounts.models import User
    from tests.factories import UserFactory

    staff = User.objects.filter(email="bench-staff@example.org").first()
    if staff is None:
        staff = UserFactory(email="bench-staff@example.org", roles=["staff"], is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/points/staff/dashboard/").status_code == 200  # warm
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/points/staff/dashboard/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    # The largest segment's CSV export, streamed to the end once.
    started = time.perf_counter()
    response = client.get("/points/staff/dashboard/segments/watchers.csv")
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    csv_seconds = time.perf_counter() - started
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(_percentile(samples, 0.95), 1),
        "watchers_csv_rows": lines - 1,
        "watchers_csv_s": round(csv_seconds, 2),
    }


def _explain_uses_index() -> dict[str, bool]:
    """EXPLAIN the selector's own board queries: an index walk, no sort step."""
    from django.db import connection

    from fieldcast.points.selectors import leaderboard_queryset

    result = {}
    for name, board, city in (
        ("week", "week", ""),
        ("month", "month", ""),
        ("all", "all", ""),
        ("week_city", "week", "Lagos"),
        ("all_city", "all", "Lagos"),
    ):
        plan = leaderboard_queryset(board=board, city=city)[:50].explain()
        if connection.vendor == "postgresql":
            uses = "Index" in plan and "Sort" not in plan
        else:
            uses = "USING" in plan and "INDEX" in plan and "TEMP B-TREE" not in plan
        result[name] = uses
    return result


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--dashboard-requests", type=int, default=20)
    args = parser.parse_args()
    _setup_django()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from fieldcast.points.models import Activity, PointEvent

    call_command("migrate", verbosity=0, interactive=False)
    made = 0.0
    existing = PointEvent.objects.filter(key__startswith="bench:").count()
    if existing == 0:
        made = _make_data(args.users, args.events)
    elif existing != args.events:
        sys.exit(f"this database holds {existing} bench ledger rows; use a fresh one")
    if not Activity.objects.filter(obj_ref="bench:0").exists():
        made += _make_activities(args.activities)
    # Fresh planner statistics, as PostgreSQL's autovacuum would have after a bulk load (without
    # them it guesses a few rows per city and sorts instead of walking the index).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    load_start = os.getloadavg()[0]
    client = Client()
    rows = []
    for name, url in BOARDS:
        for _ in range(10):  # warm caches and connections
            assert client.get(url).status_code == 200
        queries: list[str] = []

        def count(
            execute: Callable[[str, object, bool, dict[str, object]], object],
            sql: str,
            params: object,
            many: bool,
            context: dict[str, object],
            queries: list[str] = queries,
        ) -> object:
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        rows.append(
            {
                "board": name,
                "p50_ms": round(statistics.median(samples), 2),
                "p95_ms": round(_percentile(samples, 0.95), 2),
                "max_ms": round(max(samples), 2),
                "queries": len(queries),
            }
        )

    out = StringIO()
    started = time.perf_counter()
    call_command("points_rebuild", "--json", stdout=out)
    rebuild_seconds = time.perf_counter() - started
    rebuild = json.loads(out.getvalue().strip().splitlines()[-1])
    indexes = _explain_uses_index()
    trail_rows = Activity.objects.count()
    record = _time_activity_record(1000)
    dashboard = _time_dashboard(args.dashboard_requests)

    print(
        f"database: {connection.vendor}, users: {args.users}, ledger rows: {rebuild['ledger_rows']}"
    )
    if made:
        print(f"data made in {made:.1f} s")
    print(f"{'board':<10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for row in rows:
        print(
            f"{row['board']:<10} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8} "
            f"{row['queries']:>8}"
        )
    print(
        f"rebuild: {rebuild_seconds:.2f} s, total differences {rebuild['total_differences']}, "
        f"period differences {rebuild['period_differences']}"
    )
    print("index-backed: " + ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in indexes.items()))
    print(
        f"activity_record: p50 {record['p50_ms']} ms, p95 {record['p95_ms']} ms (one insert); "
        f"dashboard over {trail_rows} trail rows: p50 {dashboard['p50_ms']} ms, "
        f"p95 {dashboard['p95_ms']} ms; watchers CSV {dashboard['watchers_csv_rows']} rows "
        f"in {dashboard['watchers_csv_s']} s"
    )
    worst = max(row["p95_ms"] for row in rows)
    print(
        json.dumps(
            {
                "bench": "leaderboards",
                "load_average": [round(load_start, 1), round(os.getloadavg()[0], 1)],
                "database": connection.vendor,
                "users": args.users,
                "ledger_rows": rebuild["ledger_rows"],
                "requests_per_board": args.requests,
                "boards": rows,
                "worst_p95_ms": worst,
                "target_p95_ms": TARGET_P95_MS,
                "p95_ok": worst <= TARGET_P95_MS,
                "index_backed": indexes,
                "rebuild_seconds": round(rebuild_seconds, 2),
                "rebuild_differences": rebuild["total_differences"] + rebuild["period_differences"],
                "activity_rows": trail_rows,
                "activity_record_ms": record,
                "dashboard_ms": dashboard,
            }
        )
    )


if __name__ == "__main__":
    main()
