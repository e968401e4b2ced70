"""Fieldcast: the Django project (the design card's `platform/`, renamed so it does not shadow the
standard library's `platform` module)."""

from fieldcast.celery_app import app as celery_app

__all__ = ["celery_app"]
