"""The worker's entry module (CELERY_IMPORTS): the task modules a media worker must register.

The tasks themselves live with their app (`fieldcast.videos.tasks`), whose services enqueue them;
importing them here makes a worker started with `-A fieldcast` register them even before the
apps' autodiscovery runs.
"""

from fieldcast.videos.tasks import transcode_video

__all__ = ["transcode_video"]
