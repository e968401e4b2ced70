"""Public pages at scale: home, watch, search and reporter profiles over 100k videos, 1M comments.

    .venv/bin/python bench/web.py [--videos 100000] [--comments 1000000] [--requests 200] [--keep]

Needs PostgreSQL (the scaled mode): it creates its own database `fc_bench_web` on the server of
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/), migrates it, generates the data with
COPY, measures, and drops the database again (unless --keep, which also reuses a kept database).

Data (deterministic): 2,000 reporters and 2,000 viewers; 100k videos (90% published, the rest in
every other state) with English and Chinese titles and descriptions, views following a long tail;
1M comments (80% top level, 20% replies), 20k of them on one "hot" video; 500 stories of 20 clips;
each viewer follows 20 reporters and 5 stories; three sources on air.

Each page is requested through Django's test client (URL routing, middleware, selectors,
templates: the whole Django request, without the HTTP server), rotating over videos, queries and
reporters, after a warm-up. The query count of each page is reported too (constant by design).
Target: p95 <= 50 ms per page. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypedDict
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "fc_bench_web"
TARGET_P95_MS = 50.0
CITIES = ["Lagos", "Accra", "Nairobi", "Shanghai", "Guangzhou", "Chengdu", "Wuhan", "Kigali"]
EN_WORDS = (
    "flood fire protest market election storm traffic strike bridge harbour school hospital "
    "police rescue earthquake typhoon water power outage night morning crowd festival football "
    "road accident train station airport farmers harvest price fuel queue rain drought heat "
    "river boat fishermen village city council court trial vote count rally march workers"
).split()
ZH_WORDS = (
    "城市 洪水 现场 地震 救援 台风 暴雨 交通 事故 市场 火灾 学校 医院 警察 抗议 选举 "
    "村庄 河流 农民 收成 停电 高温 干旱 列车 机场 渔民 工人 集会 法院 新闻"
).split()
VIDEO_STATES = [
    ("published", 90),
    ("pending_review", 4),
    ("rejected", 2),
    ("hidden", 1),
    ("removed", 1),
    ("processing", 1),
    ("failed", 1),
]


class BenchData(TypedDict):
    """The ids the measurements rotate over, and how long making the data took."""

    seconds: float
    hot_video: int
    published_ids: list[int]
    reporter_ids: list[int]
    viewer_id: int
    prolific: int


def _admin_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    return parts._replace(path="/postgres").geturl()


def _bench_url() -> str:
    return urlsplit(_admin_url())._replace(path=f"/{DB_NAME}").geturl()


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(sql)


def _database_exists() -> bool:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
    return row is not None


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = _bench_url()
    os.environ.setdefault("FIELDCAST_VAR_DIR", "/tmp/fc-bench-web")  # noqa: S108
    Path(os.environ["FIELDCAST_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no access-log line per request
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a table (tab-separated text; values must not hold tabs or newlines)."""
    from django.db import connection

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def _reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT max(id) FROM {table}))"
        )


# Filler vocabularies: topical words are a few of each text, as in real reports.
EN_FILLER = [f"{a}{b}" for a in ("re", "pro", "con", "de", "in", "ex", "sub", "tra") for b in (
    "port", "gress", "tain", "mand", "vest", "tend", "cept", "ject", "duct", "form", "sist",
    "pose", "vert", "press", "spect", "struct", "tract", "scribe", "quire", "clude")]  # fmt: skip
ZH_FILLER = list("的了在是我们今天这里那里看到很多人大家已经正在开始发现记者现在附近")


def _title(rng: random.Random, chinese: bool) -> str:
    if chinese:
        return "".join(rng.sample(ZH_WORDS, 2)) + "".join(rng.sample(ZH_FILLER, 3))
    words = rng.sample(EN_WORDS, 2)
    return f"{words[0].capitalize()} {rng.choice(EN_FILLER)} {words[1]} in {rng.choice(CITIES)}"


def _description(rng: random.Random, chinese: bool) -> str:
    if chinese:
        text = [rng.choice(ZH_FILLER) for _ in range(40)]
        text[rng.randrange(40)] = rng.choice(ZH_WORDS)
        return "".join(text) + "。"
    text = [rng.choice(EN_FILLER) for _ in range(30)]
    text[rng.randrange(30)] = rng.choice(EN_WORDS)
    return " ".join(text).capitalize() + "."


def _make_data(n_videos: int, n_comments: int) -> BenchData:
    """Everything the pages read. Returns the ids the measurements rotate over."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from community.models import Follow, Story, StoryFollow, StoryItem
    from fieldcast.accounts.models import User
    from fieldcast.points.models import PointsAccount, Tier
    from ingest.models import LiveSource, Protocol, SourceState

    rng = random.Random(7)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        reporters = User.objects.bulk_create(
            [
                User(
                    email=f"reporter{i}@bench.example.org",
                    display_name=f"{rng.choice(['Ada', 'Li', 'Wei', 'Kofi', 'Mei'])} Reporter {i}",
                    city=rng.choice(CITIES),
                    password="!",  # noqa: S106 - unusable: nobody logs in with a password
                )
                for i in range(2000)
            ],
            batch_size=2000,
        )
        viewers = User.objects.bulk_create(
            [
                User(email=f"viewer{i}@bench.example.org", display_name=f"Viewer {i}", password="!")  # noqa: S106
                for i in range(2000)
            ],
            batch_size=2000,
        )
        group = Group.objects.get(name="reporter")
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=r.pk, group_id=group.pk) for r in reporters]
        )
        tiers = [Tier.CITIZEN, Tier.CITIZEN, Tier.TRUSTED, Tier.STAR]
        PointsAccount.objects.bulk_create(
            [
                PointsAccount(user_id=r.pk, total=rng.randint(0, 5000), tier=rng.choice(tiers))
                for r in reporters
            ]
        )

        # Videos: a long tail of reporters (reporter 0 is the most prolific) and of views.
        states = [state for state, weight in VIDEO_STATES for _ in range(weight)]
        columns = [
            "id", "key", "owner_id", "title", "description", "assignment_ref", "state",
            "state_reason", "source_name", "source_key", "source_size", "capture_metadata",
            "version", "output_prefix", "renditions", "poster_key", "thumbnails_key",
            "download_key", "progress", "verification_note", "view_count", "created_at",
            "updated_at", "published_at",
        ]  # fmt: skip
        rows = []
        video_states: list[str] = []
        for vid in range(1, n_videos + 1):
            owner = reporters[min(int(rng.paretovariate(1.2)) - 1, len(reporters) - 1)]
            if rng.random() < 0.5:
                owner = rng.choice(reporters)
            state = rng.choice(states)
            chinese = rng.random() < 0.3
            created = now - timedelta(seconds=rng.randint(0, 365 * 86400))
            published = (
                created + timedelta(hours=1)
                if state in ("published", "hidden", "removed")
                else None
            )
            prefix = f"videos/{vid}/v1/"
            rows.append(
                (
                    vid, uuid.UUID(int=rng.getrandbits(128)), owner.pk, _title(rng, chinese),
                    _description(rng, chinese), "", state, "", "clip.mp4", f"uploads/{vid}",
                    1000, "{}", 1, prefix, "[]", prefix + "poster.jpg", "", "", 100, "",
                    int(rng.paretovariate(1.1) * 10), created.isoformat(), created.isoformat(),
                    published.isoformat() if published else None,
                )
            )  # fmt: skip
            video_states.append(state)
        _copy("videos_video", columns, rows)
        _reset_sequence("videos_video")
        published_ids = [i + 1 for i, state in enumerate(video_states) if state == "published"]
        hot_video = published_ids[0]

        # Comments: 20k on the hot video, the rest spread; every fifth one a reply.
        columns = [
            "id", "video_id", "author_id", "parent_id", "root_id", "depth", "path", "body",
            "state", "held_terms", "like_count", "created_at", "edited_at",
        ]  # fmt: skip
        last_top: dict[int, int] = {}
        batch: list[tuple] = []
        hot = min(20_000, n_comments // 10)
        for cid in range(1, n_comments + 1):
            video = hot_video if cid <= hot else rng.choice(published_ids)
            author = rng.choice(viewers).pk
            at = (now - timedelta(seconds=rng.randint(0, 300 * 86400))).isoformat()
            parent = last_top.get(video)
            if parent is not None and rng.random() < 0.2:
                path = f"{parent:010d}/{cid:010d}/"
                batch.append((cid, video, author, parent, parent, 1, path, "Agreed, stay safe.",
                              "visible", "[]", 0, at, None))  # fmt: skip
            else:
                last_top[video] = cid
                batch.append((cid, video, author, None, cid, 0, f"{cid:010d}/",
                              "Thanks for filming this.", "visible", "[]", 0, at, None))  # fmt: skip
            if len(batch) == 100_000:
                _copy("community_comment", columns, batch)
                batch = []
        if batch:
            _copy("community_comment", columns, batch)
        _reset_sequence("community_comment")

        editor = reporters[1]
        stories = Story.objects.bulk_create(
            [
                Story(
                    title=(f"{rng.choice(ZH_WORDS)}{rng.choice(ZH_WORDS)} " if i % 3 == 0 else "")
                    + f"{rng.choice(EN_WORDS).capitalize()} coverage {i}",
                    summary="Continuous coverage.",
                    created_by=editor,
                )
                for i in range(500)
            ]
        )
        items = []
        for story in stories:
            for video in rng.sample(published_ids, 20):
                items.append(
                    StoryItem(
                        story=story, kind="video", video_id=video, happened_at=now, added_by=editor
                    )
                )
        StoryItem.objects.bulk_create(items, batch_size=5000)
        Follow.objects.bulk_create(
            [
                Follow(follower=viewer, reporter=reporter)
                for viewer in viewers
                for reporter in rng.sample(reporters, 20)
            ],
            batch_size=10_000,
        )
        StoryFollow.objects.bulk_create(
            [
                StoryFollow(user=viewer, story=story)
                for viewer in viewers
                for story in rng.sample(stories, 5)
            ],
            batch_size=10_000,
        )
        for n in range(3):
            LiveSource.objects.create(
                reporter=reporters[n], title=f"Live from {CITIES[n]}", protocol=Protocol.WHIP,
                state=SourceState.ON_AIR, live_at=now,
            )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        # Flush the GIN pending lists and gather statistics, as autovacuum would after a load.
        cursor.execute("VACUUM ANALYZE")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "hot_video": hot_video,
        "published_ids": published_ids,
        "reporter_ids": [r.pk for r in reporters],
        "viewer_id": viewers[0].pk,
        "prolific": reporters[0].pk,
    }


def _ids_from_database() -> BenchData:
    """The same ids as `_make_data` returned, read back from a kept database."""
    from django.db.models import Count

    from community.models import Comment
    from fieldcast.accounts.models import User
    from fieldcast.videos.models import Video

    published = list(
        Video.objects.filter(state="published").order_by("pk").values_list("pk", flat=True)
    )
    reporters = list(
        User.objects.filter(email__startswith="reporter")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    hot = Comment.objects.values("video_id").annotate(n=Count("pk")).order_by("-n").first()
    viewer = User.objects.filter(email__startswith="viewer").order_by("pk").first()
    assert viewer is not None, "a kept database has viewers"  # noqa: S101
    return {
        "seconds": 0.0,
        "hot_video": hot["video_id"] if hot else published[0],
        "published_ids": published,
        "reporter_ids": reporters,
        "viewer_id": viewer.pk,
        "prolific": reporters[0],
    }


def _measure(client, urls: Callable[[int], str], requests: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(5):
        response = client.get(urls(n))
        assert response.status_code == 200, (urls(n), response.status_code)
    times = []
    queries = set()
    for n in range(requests):
        url = urls(n)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured))
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
        "queries": max(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    args = parser.parse_args()

    reuse = args.keep and _database_exists()
    if not reuse:
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME}")
        _admin(f"CREATE DATABASE {DB_NAME}")
    try:
        _setup_django()
        from django.core.management import call_command
        from django.test import Client

        from fieldcast.accounts.models import User

        call_command("migrate", verbosity=0)
        data = _ids_from_database() if reuse else _make_data(args.videos, args.comments)
        published = data["published_ids"]
        reporter_ids = data["reporter_ids"]
        rng = random.Random(3)
        sample_videos = rng.sample(published, min(len(published), args.requests + 5))
        sample_reporters = rng.sample(reporter_ids, min(len(reporter_ids), args.requests + 5))
        en = ["flood", "protest market", "storm", "fishermen", "election night", "harbour fire"]
        zh = ["洪水", "城市", "地震救援", "现场", "火灾"]
        names = ["Wei", "Ada Reporter 12", "Reporter 199"]

        anonymous = Client()
        signed_in = Client()
        signed_in.force_login(User.objects.get(pk=data["viewer_id"]))
        pages: list[tuple[str, object, Callable[[int], str]]] = [
            ("home (anonymous)", anonymous, lambda n: "/"),
            ("home (follows 20 + 5 stories)", signed_in, lambda n: "/"),
            ("watch", anonymous, lambda n: f"/videos/{sample_videos[n % len(sample_videos)]}/"),
            ("watch (20k comments)", signed_in, lambda n: f"/videos/{data['hot_video']}/"),
            ("search English", anonymous, lambda n: f"/search/?q={en[n % len(en)]}"),
            ("search English page 3", anonymous, lambda n: f"/search/?q={en[n % len(en)]}&page=3"),
            ("search Chinese", anonymous, lambda n: f"/search/?q={zh[n % len(zh)]}"),
            ("search reporter name", anonymous, lambda n: f"/search/?q={names[n % len(names)]}"),
            (
                "profile",
                anonymous,
                lambda n: f"/reporters/{sample_reporters[n % len(sample_reporters)]}/",
            ),
            ("profile (most videos)", anonymous, lambda n: f"/reporters/{data['prolific']}/"),
            ("feed API", anonymous, lambda n: "/api/v1/community/feed/"),
            ("search API", anonymous, lambda n: f"/api/v1/community/search/?q={en[n % len(en)]}"),
            ("leaderboard (all time)", anonymous, lambda n: "/points/leaderboards/all/"),
        ]
        results = {}
        for name, client, urls in pages:
            results[name] = _measure(client, urls, args.requests)

        print(
            f"\nbench/web.py: {args.videos} videos, {args.comments} comments; data in {data['seconds']} s"
        )
        print(
            f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}  target p95 <= 50"
        )
        for name, row in results.items():
            verdict = "ok" if row["p95_ms"] <= TARGET_P95_MS else "MISS"
            print(
                f"{name:34} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f} "
                f"{row['queries']:8d}  {verdict}"
            )
        print(
            json.dumps(
                {
                    "bench": "web",
                    "videos": args.videos,
                    "comments": args.comments,
                    "requests": args.requests,
                    "data_seconds": data["seconds"],
                    "target_p95_ms": TARGET_P95_MS,
                    "pages": results,
                    "at": datetime.now().astimezone().isoformat(timespec="seconds"),
                },
                ensure_ascii=False,
            )
        )
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _admin(f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()
