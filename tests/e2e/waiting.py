"""Waiting for a condition in a page under the Content-Security-Policy.

Playwright's `page.wait_for_function` builds its predicate with `eval`, which the site's CSP
forbids (no 'unsafe-eval'), so it fails on every page. `wait_for_js` compiles the predicate as
part of an `evaluate` call (DevTools compiles that, not the page) and polls inside the page.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page


def wait_for_js(page: Page, predicate: str, *, arg: Any = None, timeout: float = 15_000) -> None:
    """Wait until `predicate` (a JS expression, or a function of `arg`) is truthy in `page`."""
    head = predicate.lstrip()
    is_function = head.startswith("function") or "=>" in head.split("\n", 1)[0][:40]
    source = predicate if is_function else f"() => ({predicate})"
    page.evaluate(
        f"""async ([arg, timeout]) => {{
            const predicate = {source};
            const deadline = Date.now() + timeout;
            while (!(await predicate(arg))) {{
                if (Date.now() > deadline) {{
                    throw new Error("timed out waiting for " + {json.dumps(predicate)});
                }}
                await new Promise((resolve) => setTimeout(resolve, 50));
            }}
        }}""",
        [arg, timeout],
    )
