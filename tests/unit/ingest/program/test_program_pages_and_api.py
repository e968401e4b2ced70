"""The studio page, the viewer page, the navigation entry and the /api/v1/programs/ API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from fieldcast.navigation import navigation
from ingest.models import ProgramLogEntry, SourceState
from ingest.program import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_studio_redirects_to_the_default_channel(editor) -> None:
    response = _client(editor).get("/studio/")
    assert response.status_code == 302
    assert response["Location"] == "/studio/main/"


def test_editor_opens_the_studio(editor, program, make_source) -> None:
    # given a live source
    make_source(SourceState.LIVE, title="Harbour strike")

    # when
    response = _client(editor).get("/studio/main/")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="studio"' in html
    assert "Harbour strike" in html  # in the initial state the page draws from
    assert "/ws/studio/main/" in html
    assert "js/studio.js" in html


def test_a_reporter_cannot_open_the_studio(reporter, program) -> None:
    assert _client(reporter).get("/studio/main/").status_code == 403
    assert _client(reporter).get("/studio/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(program) -> None:
    response = Client().get("/studio/main/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_channel_is_404(editor) -> None:
    assert _client(editor).get("/studio/nope/").status_code == 404
    assert Client().get("/live/nope/").status_code == 404


def test_the_viewer_page_is_public_and_says_what_is_on_air(holder, program, make_source) -> None:
    # given A on program
    source = make_source(SourceState.APPROVED, title="Flooded bridge")
    services.program_cut(slug="main", editor=holder, source_key=str(source.key))

    # when an anonymous viewer opens it
    response = Client().get("/live/main/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Flooded bridge" in html
    assert source.reporter.public_name in html
    assert 'id="live-chat" data-channel="main"' in html
    assert "/live/main/index.m3u8" in html
    assert "vendor/hls/hls.min.js" in html


def test_the_viewer_page_says_off_air_when_stopped(program) -> None:
    html = Client().get("/live/main/").content.decode()
    assert 'data-live="false"' in html
    assert "Off air" in html
    # and no empty "On air now" block under the off-air card
    assert 'data-testid="live-now" hidden' in html


def test_the_ingest_pages_under_live_still_win(editor) -> None:
    # /live/sources/ is the editors' sources page, not a channel called "sources"
    response = _client(editor).get("/live/sources/")
    assert response.status_code == 200
    assert b"source-grid" in response.content


def _nav(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [item["url"] for item in navigation(request)["nav_items"]]


def test_editors_see_the_studio_in_the_navigation(editor, reporter) -> None:
    assert "/studio/" in _nav(editor)
    assert "/studio/" not in _nav(reporter)


def test_api_state_is_for_editors(editor, reporter, program) -> None:
    ok = _client(editor).get("/api/v1/programs/main/")
    refused = _client(reporter).get("/api/v1/programs/main/")
    anonymous = Client().get("/api/v1/programs/main/")
    assert ok.status_code == 200
    assert ok.json()["slug"] == "main"
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_editor"
    assert anonymous.status_code in (401, 403)


def test_api_commands_switch_the_program(editor, program, make_source) -> None:
    # given
    source = make_source(SourceState.APPROVED)
    client = _client(editor)

    # when
    for action, body in [
        ("take", {}),
        ("start", {}),
        ("preview", {"source": str(source.key)}),
        ("cut", {}),
    ]:
        response = client.post(
            f"/api/v1/programs/main/{action}/", body, content_type="application/json"
        )
        assert response.status_code == 200, response.content

    # then
    state = response.json()
    assert state["program_source"] == str(source.key)
    assert state["holds_switcher"] is True
    assert [s["tally"] for s in state["sources"]] == ["program"]


def test_api_refuses_a_non_approved_cut_with_the_reason(holder, program, make_source) -> None:
    source = make_source(SourceState.LIVE, title="Unchecked")
    entries = ProgramLogEntry.objects.count()
    response = _client(holder).post(
        "/api/v1/programs/main/cut/", {"source": str(source.key)}, content_type="application/json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "source_not_approved"
    assert "Unchecked" in error["message"]
    assert ProgramLogEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("action", "body", "code"),
    [
        ("dance", {}, "unknown_command"),
        ("fade", {"duration_ms": "slow"}, "invalid"),
        ("video", {}, "invalid"),
        ("lower_third", {"visible": "yes"}, "invalid"),
        ("kill", {}, "invalid"),
        ("preview", {"source": 12}, "invalid"),
    ],
)
def test_api_bad_commands_are_refused(holder, program, action, body, code) -> None:
    program.refresh_from_db()
    seq = program.seq
    response = _client(holder).post(
        f"/api/v1/programs/main/{action}/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    program.refresh_from_db()
    assert program.seq == seq


def test_api_non_json_body_is_refused(holder, program) -> None:
    program.refresh_from_db()
    seq = program.seq
    response = _client(holder).post(
        "/api/v1/programs/main/slate/", "[1, 2]", content_type="application/json"
    )
    assert response.status_code == 400
    program.refresh_from_db()
    assert program.seq == seq


def test_api_on_air_is_public(holder, program, make_source) -> None:
    source = make_source(SourceState.APPROVED, title="Court steps")
    services.program_cut(slug="main", editor=holder, source_key=str(source.key))
    body = Client().get("/api/v1/programs/main/on-air/").json()
    assert body["running"] is True
    assert body["on_air"]["story"] == "Court steps"
    assert "preview" not in str(body)


def test_api_log_is_for_editors(holder, program, reporter) -> None:
    body = _client(holder).get("/api/v1/programs/main/log/").json()
    assert [entry["action"] for entry in body] == ["start", "take"]
    assert _client(reporter).get("/api/v1/programs/main/log/").status_code == 403


def test_api_staff_create_channels(staff_user, editor) -> None:
    created = _client(staff_user).post(
        "/api/v1/programs/", {"slug": "north", "name": "North"}, content_type="application/json"
    )
    refused = _client(editor).post(
        "/api/v1/programs/", {"slug": "south", "name": "South"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["slug"] == "north"
    assert refused.status_code == 403


def test_studio_page_queries_do_not_grow_with_sources(
    holder, program, make_source, django_assert_num_queries
) -> None:
    # given one source on program
    client = _client(holder)
    first = make_source(SourceState.APPROVED)
    services.program_cut(slug="main", editor=holder, source_key=str(first.key))
    client.get("/studio/main/")  # warm caches (permissions, content types)
    with CaptureQueriesContext(connection) as small:
        client.get("/studio/main/")

    # when five more sources are live and one is on preview
    more = [make_source(SourceState.LIVE) for _ in range(5)]
    services.program_set_preview(slug="main", editor=holder, source_key=str(more[0].key))

    # then the page takes the same number of queries
    with django_assert_num_queries(len(small)):
        response = client.get("/studio/main/")
    assert response.content.decode().count('"reporter":') >= 6


def test_only_staff_see_the_slate_upload(staff_user, editor, program) -> None:
    assert b'data-testid="slate-form"' in _client(staff_user).get("/studio/main/").content
    assert b'data-testid="slate-form"' not in _client(editor).get("/studio/main/").content


def test_the_switcher_can_be_handed_to_another_editor_from_the_page(
    editor, reporter, program
) -> None:
    # given another editor
    other = UserFactory(display_name="Night desk", roles=["reporter", "editor"])

    # when the editor opens the studio
    html = _client(editor).get("/studio/main/").content.decode()

    # then the hand-over list names the other editor, not the reporter nor the editor herself
    hand_to = html.split('data-testid="hand-to"')[1].split("</select>")[0]
    assert f'value="{other.pk}">Night desk<' in hand_to
    assert f'value="{reporter.pk}"' not in hand_to
    assert f'value="{editor.pk}"' not in hand_to
