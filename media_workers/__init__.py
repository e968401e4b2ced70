"""The Celery worker's entry package: task modules and the filesystem broker of the embedded mode."""
