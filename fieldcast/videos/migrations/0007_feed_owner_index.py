"""A reporter's published work, newest first, and its count (profile pages, bench/web.py):
one index on (owner, state, published_at, id) serves both, on SQLite and PostgreSQL."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("videos", "0006_search_user_name_upper")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS feed_video_owner_published ON videos_video "
            "(owner_id, state, published_at DESC, id DESC)",
            "DROP INDEX IF EXISTS feed_video_owner_published",
        )
    ]
