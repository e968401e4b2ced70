"""`python -m fieldcast storage_bucket`: create the S3 bucket if missing and let the site read it.

A no-op on local storage. hls.js fetches segments from presigned URLs with XHR, so the bucket's CORS
rules must allow GET from the site's origins (MEDIA_CORS_ORIGINS, default SITE_URL).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.management.base import BaseCommand

from fieldcast.core.s3 import s3_storage


class Command(BaseCommand):
    help = "Create the configured S3 bucket when STORAGE=s3, and set its CORS rules for players."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.STORAGE != "s3":
            self.stdout.write(f"Local storage in {settings.MEDIA_ROOT}: nothing to create.")
            return
        storage = s3_storage()
        bucket = storage.bucket
        client = storage.connection.meta.client
        existing = {item["Name"] for item in client.list_buckets().get("Buckets", [])}
        if bucket.name in existing:
            self.stdout.write(f"Bucket {bucket.name} exists.")
        else:
            client.create_bucket(Bucket=bucket.name)
            self.stdout.write(self.style.SUCCESS(f"Created bucket {bucket.name}."))
        try:
            client.put_bucket_cors(
                Bucket=bucket.name,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedOrigins": settings.MEDIA_CORS_ORIGINS,
                            "AllowedMethods": ["GET", "HEAD"],
                            "AllowedHeaders": ["*"],
                            "MaxAgeSeconds": 3600,
                        }
                    ]
                },
            )
        except ClientError as error:
            # MinIO's free edition has no per-bucket CORS API: it takes MINIO_API_CORS_ALLOW_ORIGIN.
            if error.response.get("Error", {}).get("Code") != "NotImplemented":
                raise
            self.stdout.write(
                "CORS: this S3 server does not set per-bucket CORS rules; allow GET from "
                f"{', '.join(settings.MEDIA_CORS_ORIGINS)} in its own configuration."
            )
            return
        self.stdout.write(f"CORS: GET allowed from {', '.join(settings.MEDIA_CORS_ORIGINS)}.")
