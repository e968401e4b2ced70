"""The Celery application. Queues: `default` for short jobs, `transcode` for long FFmpeg work."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")

app = Celery("fieldcast")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("transcode"))
app.autodiscover_tasks()
