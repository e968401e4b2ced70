"""Reporter names are searched case-insensitively (`UPPER(display_name) LIKE UPPER('%wei%')`):
the trigram index must be on that expression to serve it (PostgreSQL only; SQLite migrates)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

UP = [
    "DROP INDEX IF EXISTS search_user_name_trgm",
    "CREATE INDEX IF NOT EXISTS search_user_name_upper_trgm ON accounts_user USING gin "
    "((UPPER(display_name::text)) gin_trgm_ops)",
]
DOWN = [
    "DROP INDEX IF EXISTS search_user_name_upper_trgm",
    "CREATE INDEX IF NOT EXISTS search_user_name_trgm ON accounts_user USING gin "
    "((display_name::text) gin_trgm_ops)",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("videos", "0005_search_document")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN), elidable=False)]
