"""A stored full-text document per video (PostgreSQL only; SQLite still migrates).

Ranking matches needs each match's tsvector: with only an expression index PostgreSQL recomputed
`to_tsvector` from title and description for every matching row, which bench/web.py measured
as the slow part of search over 100k videos. A generated, stored column holds it once; the GIN
index of 0004 on the expression is replaced by one on the column. The column is not a model
field (SQLite has no tsvector): community/search/selectors.py reads it by name.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'B')"
)
UP = [
    "DROP INDEX IF EXISTS search_video_fts",
    "ALTER TABLE videos_video ADD COLUMN IF NOT EXISTS search_document tsvector "
    f"GENERATED ALWAYS AS ({DOCUMENT}) STORED",
    "CREATE INDEX IF NOT EXISTS search_video_document ON videos_video USING gin "
    "(search_document) WHERE state = 'published'",
]
DOWN = [
    "DROP INDEX IF EXISTS search_video_document",
    "ALTER TABLE videos_video DROP COLUMN IF EXISTS search_document",
    f"CREATE INDEX IF NOT EXISTS search_video_fts ON videos_video USING gin (({DOCUMENT})) "
    "WHERE state = 'published'",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("videos", "0004_search_indexes")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN), elidable=False)]
