"""The pages' shared helpers (frontend/static/js/api.js, ws.js) in a real browser."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import BrowserContext, Page, WebSocketRoute, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import LiveServer, log_in
from tests.e2e.waiting import wait_for_js
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_a_failed_request_tells_the_person_why(
    server: LiveServer, context: BrowserContext, page: Page
) -> None:
    # given an editor on the live sources page, its socket open
    editor = UserFactory(roles=["reporter", "editor"])
    log_in(page, server, editor.email)
    page.goto(f"{server.url}/live/sources/")
    wait_for_js(page, "() => window.Fieldcast && window.Fieldcast.socket")

    # when a request is refused by the API
    result = page.evaluate(
        "() => Fieldcast.api('/api/v1/no-such-thing/', {method: 'POST', body: {a: 1}})"
    )

    # then the page shows the API's own message, and the caller gets the error's fields
    assert (result["ok"], result["status"], result["error"]["code"]) == (False, 404, "not_found")
    expect(page.get_by_test_id("page-error")).to_have_text(
        "There is no API endpoint at this address."
    )

    # when the network is gone
    context.set_offline(True)
    result = page.evaluate("() => Fieldcast.api('/api/v1/live/sources/')")
    context.set_offline(False)

    # then it says so, rather than failing silently
    assert (result["status"], result["error"]["code"]) == (0, "network")
    expect(page.get_by_test_id("page-error")).to_have_text(
        "Fieldcast could not be reached. Check your connection and try again."
    )


def _probe(page: Page, **options: int) -> None:
    """A Fieldcast.socket on /ws/probe/ (served by the test's route) that logs what happens."""
    page.evaluate(
        """(options) => {
          window.heard = [];
          window.probe = Fieldcast.socket('/ws/probe/', Object.assign({
            onOpen: () => window.heard.push('open'),
            onResume: () => window.heard.push('resume'),
            onClose: () => window.heard.push('close'),
            onMessage: (event) => window.heard.push(event.type),
          }, options));
        }""",
        options,
    )


def test_a_socket_that_answers_pings_stays_open(server: LiveServer, page: Page) -> None:
    # given a server that answers each ping with a pong, and says "done" at the fifth
    connections: list[WebSocketRoute] = []
    pings: list[str] = []

    def serve(socket: WebSocketRoute) -> None:
        connections.append(socket)

        def answer(message: str | bytes) -> None:
            if json.loads(message) == {"type": "ping"}:
                pings.append("ping")
                socket.send(json.dumps({"type": "pong"}))
                if len(pings) == 5:
                    socket.send(json.dumps({"type": "done"}))

        socket.on_message(answer)

    page.route_web_socket("**/ws/probe/", serve)
    page.goto(f"{server.url}/")

    # when a page socket pings every 300 ms and calls 0.7 s without an answer dead, for 5 pings
    _probe(page, pingMs=300, timeoutMs=700)
    wait_for_js(page, "() => window.heard.includes('done')")

    # then it stayed on its first connection (pongs are heard, and not passed on)
    assert page.evaluate("() => window.heard") == ["open", "done"]
    assert len(connections) == 1


def test_a_silent_or_dropped_socket_reconnects_and_resumes(server: LiveServer, page: Page) -> None:
    # given a server that never answers on its first connection and hangs up its second at its
    # first ping (a restarted web process)
    connections: list[WebSocketRoute] = []

    def serve(socket: WebSocketRoute) -> None:
        connections.append(socket)
        if len(connections) == 2:
            socket.on_message(lambda _message: socket.close(code=1012, reason="restart"))

    page.route_web_socket("**/ws/probe/", serve)
    page.goto(f"{server.url}/")

    # when a page socket calls 0.7 s without an answer to its ping dead
    _probe(page, pingMs=300, timeoutMs=700, baseMs=100, maxMs=200)

    # then it gives up the silent socket, reconnects after the drop too, and resumes each time
    try:
        wait_for_js(
            page,
            "() => window.heard.filter((what) => what === 'resume').length === 2",
            timeout=5000,
        )
    except PlaywrightError:
        raise AssertionError(f"heard {page.evaluate('() => window.heard')}") from None
    assert page.evaluate("() => window.heard") == [
        "open",
        "close",
        "open",
        "resume",
        "close",
        "open",
        "resume",
    ]
    assert len(connections) == 3
