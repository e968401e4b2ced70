"""A person's own data across every app: export it, and carry out a scheduled account deletion.

This package sits at the top of the layers, with fieldcast.urls and the Celery app: it reads and
erases data that videos, points, ingest and community own, so it may import all of them, and
none of them imports it. Accounts keeps the lower half (asking for deletion, cancelling it, the
security log) and its pages link here through URLs wired in fieldcast/urls.py.
"""
