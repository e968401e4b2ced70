"""The bucket behind the default storage, for the few callers that talk to S3 directly (multipart
uploads, bucket set-up). Only meaningful when STORAGE=s3."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage


def s3_storage() -> S3Storage:
    """The default storage as the S3 backend; a configuration error on any other backend."""
    # The lazy default storage answers isinstance() for the backend it wraps.
    if not isinstance(default_storage, S3Storage):
        raise ImproperlyConfigured("STORAGE=s3 needs storages.backends.s3.S3Storage as default.")
    return default_storage
