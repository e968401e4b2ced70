"""The layers contract (pyproject's import-linter section) covers every app of ours.

`lint-imports` in CI enforces the contract; these tests keep the contract itself honest: an app
added without a layer or a top-level package missing from the graph would let imports go any way
unnoticed. (A stale ignored edge fails `lint-imports` itself: `unmatched_ignore_imports_alerting`.)
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[3]


def _importlinter() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _layers_contract() -> dict:
    contracts = [c for c in _importlinter()["contracts"] if c["type"] == "layers"]
    assert len(contracts) == 1
    return contracts[0]


def _layer_modules() -> list[str]:
    modules: list[str] = []
    for layer in _layers_contract()["layers"]:
        for part in layer.replace(":", "|").split("|"):
            modules.append(part.strip())
    return modules


def _covered(module: str, layer_modules: list[str]) -> bool:
    return any(module == m or module.startswith(f"{m}.") for m in layer_modules)


def _in_this_repository(path: str) -> bool:
    """Code of this repository, not a package installed in a virtualenv kept inside it."""
    resolved = Path(path).resolve()
    return resolved.is_relative_to(ROOT) and "site-packages" not in resolved.parts


def _first_party_apps() -> list[str]:
    roots = tuple(_importlinter()["root_packages"])
    ours = [config.name for config in apps.get_app_configs() if _in_this_repository(config.path)]
    assert ours, "no app of ours is installed"
    outside = [name for name in ours if not name.startswith(roots)]
    assert outside == [], f"apps outside the contract's root packages: {outside}"
    return ours


def test_every_app_of_ours_has_a_layer() -> None:
    # given the layers the contract names
    layer_modules = _layer_modules()

    # then every installed app of this repository sits in one of them
    missing = [app for app in _first_party_apps() if not _covered(app, layer_modules)]
    assert missing == []


def test_every_top_level_package_of_ours_is_in_the_graph() -> None:
    # given the packages setuptools ships (pyproject's find include list)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = {
        pattern.rstrip("*")
        for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]
    }

    # then import-linter reads every one of them
    assert shipped == set(_importlinter()["root_packages"])
