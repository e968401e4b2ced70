"""The whole stored state, for tests that check a refusal changed nothing at all.

`stored_state()` reads every row of every model (and, with `media=True`, every file name under
MEDIA_ROOT): compare the value before and after a refused request.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings


def stored_state(*, media: bool = False) -> dict[str, object]:
    state: dict[str, object] = {}
    for model in apps.get_models():
        rows = list(model._default_manager.order_by("pk").values())
        state[model._meta.label] = rows
    if media:
        root = Path(settings.MEDIA_ROOT)
        state["media files"] = sorted(
            str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()
        )
    return state
