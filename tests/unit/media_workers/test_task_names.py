"""Every task name the code dispatches is registered by a worker started with `-A fieldcast`.

A task enqueued under a name no worker registered sits in the queue forever (or fails as
"unregistered" in the worker log, far from the code that sent it). The names come from the beat
schedule and the routes in settings, and from every `send_task(...)`, `.delay(...)` and
`.apply_async(...)` in the application code, read from its syntax tree.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator

from celery import Task
from django.conf import settings

from tests.processes import ROOT

APP_PACKAGES = ("fieldcast", "ingest", "moderation", "community", "media_workers")
DISPATCH_METHODS = {"delay", "apply_async"}

# What a worker process registers: Django set up, then Celery's own import of CELERY_IMPORTS and
# of the autodiscovered `tasks` modules (what `celery -A fieldcast worker` does before consuming).
WORKER_REGISTRY = """
import json, django
django.setup()
from fieldcast.celery_app import app
app.loader.import_default_modules()
print(json.dumps(sorted(app.tasks.keys())))
"""


def _python(script: str) -> str:
    """Run `script` in a fresh interpreter on this checkout; its standard output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "fieldcast.settings"}
    completed = subprocess.run(  # noqa: S603 - our interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return completed.stdout


def _worker_registered_names() -> set[str]:
    return set(json.loads(_python(WORKER_REGISTRY).splitlines()[-1]))


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or "management" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
            yield name, ast.parse(path.read_text(), filename=str(path))


def _resolve(module: object, node: ast.expr) -> object:
    """The object a `name` or `name.attr...` expression stands for in a module's namespace."""
    if isinstance(node, ast.Name):
        return getattr(module, node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(module, node.value), node.attr)
    raise LookupError(ast.dump(node))


def _dispatched_in_code() -> dict[str, str]:
    """Task name -> where it is dispatched, for every dispatch in the application code."""
    found: dict[str, str] = {}
    for name, tree in _modules():
        module = None
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            if method != "send_task" and method not in DISPATCH_METHODS:
                continue
            module = module or importlib.import_module(name)
            where = f"{name}:{node.lineno}"
            if method == "send_task":
                target = node.args[0]
                task_name = (
                    target.value if isinstance(target, ast.Constant) else _resolve(module, target)
                )
            else:
                task = _resolve(module, node.func.value)
                assert isinstance(task, Task), f"{where} dispatches {task!r}, not a task"
                task_name = task.name
            assert isinstance(task_name, str), where
            found[task_name] = where
    return found


def test_every_dispatched_task_name_is_registered_by_the_worker() -> None:
    # given what a worker registers
    registered = _worker_registered_names()
    # when we list every name the code and the settings dispatch
    dispatched = _dispatched_in_code()
    dispatched.update(
        {
            entry["task"]: f"CELERY_BEAT_SCHEDULE[{key!r}]"
            for key, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
    )
    dispatched.update(dict.fromkeys(settings.CELERY_TASK_ROUTES, "CELERY_TASK_ROUTES"))
    # then the code does dispatch (the scan found its known call sites), and the worker knows them all
    assert "media_workers.transcode_video" in dispatched
    assert "moderation.tasks.run_automatic_checks" in dispatched
    unknown = {name: where for name, where in dispatched.items() if name not in registered}
    assert unknown == {}


def test_the_transcode_task_keeps_its_routed_name_and_queue() -> None:
    # given the task the upload services enqueue
    from fieldcast.videos.tasks import transcode_video

    # when we look up its route
    route = settings.CELERY_TASK_ROUTES.get(transcode_video.name)
    # then queued messages and the transcode queue still find it under its old name
    assert transcode_video.name == "media_workers.transcode_video"
    assert route == {"queue": "transcode"}


def test_importing_the_task_module_does_not_import_the_services() -> None:
    # given a fresh interpreter (settings configured, no app registry loaded)
    script = (
        "import sys; import fieldcast.videos.tasks; "
        "print([m for m in ('fieldcast.videos.services', 'fieldcast.videos.transcoding') "
        "if m in sys.modules])"
    )
    # when it imports the videos tasks
    loaded = _python(script).strip()
    # then the tasks load what they run only when they run (no services <-> tasks import cycle)
    assert loaded == "[]"
