"""The community's Celery tasks, where the worker's autodiscovery looks for them (`<app>.tasks`).

Each task lives with its feature (`community/events/tasks.py`, `community/notifications/tasks.py`)
and keeps the explicit name the beat schedule in settings uses.
"""

from community.events.tasks import event_reminders
from community.notifications.tasks import digests_send

__all__ = ["digests_send", "event_reminders"]
