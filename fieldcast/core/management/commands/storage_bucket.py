"""`python -m fieldcast storage_bucket`: create the S3 bucket if it is missing (no-op on local storage)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the configured S3 bucket when STORAGE=s3 and it does not exist yet."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.STORAGE != "s3":
            self.stdout.write(f"Local storage in {settings.MEDIA_ROOT}: nothing to create.")
            return
        bucket = default_storage.bucket  # type: ignore[attr-defined]
        client = default_storage.connection.meta.client  # type: ignore[attr-defined]
        existing = {item["Name"] for item in client.list_buckets().get("Buckets", [])}
        if bucket.name in existing:
            self.stdout.write(f"Bucket {bucket.name} exists.")
            return
        client.create_bucket(Bucket=bucket.name)
        self.stdout.write(self.style.SUCCESS(f"Created bucket {bucket.name}."))
