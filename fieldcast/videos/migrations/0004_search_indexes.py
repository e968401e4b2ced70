"""Indexes for search and the home feed (community/search/selectors.py, community/feed/selectors.py).

PostgreSQL only (RunPython guarded by vendor, so SQLite still migrates): GIN indexes on the
full-text vectors of published videos and of stories (the expressions must stay identical to
`video_search_vector()` / `story_search_vector()` or the planner ignores them), and pg_trgm GIN
indexes that serve substring search of Chinese text (`title LIKE '%洪水现场%'`). Both databases: a
partial index for the "most watched" list. None of these change a model's state, so they live
here, beside the videos table, and `makemigrations --check` stays clean.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

PUBLISHED = "state = 'published'"

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS search_video_fts ON videos_video USING gin (("
    "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'B')"
    f")) WHERE {PUBLISHED}",
    "CREATE INDEX IF NOT EXISTS search_video_trgm ON videos_video USING gin "
    f"((title::text) gin_trgm_ops, (description::text) gin_trgm_ops) WHERE {PUBLISHED}",
    "CREATE INDEX IF NOT EXISTS search_story_fts ON community_story USING gin (("
    "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'B')))",
    "CREATE INDEX IF NOT EXISTS search_story_trgm ON community_story USING gin "
    "((title::text) gin_trgm_ops, (summary::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_user_name_trgm ON accounts_user USING gin "
    "((display_name::text) gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_video_fts",
    "DROP INDEX IF EXISTS search_video_trgm",
    "DROP INDEX IF EXISTS search_story_fts",
    "DROP INDEX IF EXISTS search_story_trgm",
    "DROP INDEX IF EXISTS search_user_name_trgm",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0003_upload"),
        ("community", "0003_stories"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN), elidable=False),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS feed_video_most_watched ON videos_video "
            f"(view_count DESC, published_at DESC, id DESC) WHERE {PUBLISHED}",
            "DROP INDEX IF EXISTS feed_video_most_watched",
        ),
    ]
