"""The notifications API: app and email switches per kind, the digest choice, clear refusals."""

from __future__ import annotations

import pytest

from community.models import NotificationKind, NotificationMute, NotificationSettings
from community.notifications import notify

pytestmark = pytest.mark.django_db

URL = "/api/v1/community/notifications/preferences/"
DIGEST = "/api/v1/community/notifications/digest/"


def test_email_switches_are_their_own_column(api_client, reporter):
    # given
    api_client.force_authenticate(reporter)

    # when
    changed = api_client.put(f"{URL}?channel=email", {"video_liked": False}, format="json")
    app = api_client.get(URL)

    # then
    assert changed.json() == {kind: kind != "video_liked" for kind in NotificationKind.values}
    assert app.json() == dict.fromkeys(NotificationKind.values, True)
    assert list(NotificationMute.objects.values_list("kind", "channel")) == [
        ("video_liked", "email")
    ]


def test_choosing_the_digest_and_its_language(api_client, reporter):
    # given
    api_client.force_authenticate(reporter)
    before = api_client.get(DIGEST).json()

    # when
    chosen = api_client.put(DIGEST, {"digest": "daily", "language": "zh-hans"}, format="json")

    # then
    assert before == {"digest": "off", "language": ""}
    assert chosen.json() == {"digest": "daily", "language": "zh-hans"}
    row = NotificationSettings.objects.get(user=reporter)
    assert (row.digest, row.language) == ("daily", "zh-hans")


@pytest.mark.parametrize(
    ("url", "body", "status", "message"),
    [
        (f"{URL}?channel=pigeon", {"video_liked": False}, 400, "Unknown notification channel."),
        (f"{URL}?channel=email", {"fireworks": False}, 404, "Unknown notification kind."),
        (f"{URL}?channel=email", {"video_liked": "no"}, 400, "Each kind is true or false."),
        (DIGEST, {"digest": "hourly"}, 400, "Choose no email, daily or weekly."),
        (DIGEST, {"digest": "daily", "language": "xx"}, 400, "Choose one of the listed languages."),
        (
            DIGEST,
            {"language": "en"},
            400,
            "Send digest (off, daily or weekly) and optionally language.",
        ),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(
    api_client, reporter, url, body, status, message
):
    # given
    api_client.force_authenticate(reporter)

    # when
    response = api_client.put(url, body, format="json")

    # then
    assert (response.status_code, response.json()["error"]["message"]) == (status, message)
    assert NotificationMute.objects.count() == 0
    assert NotificationSettings.objects.count() == 0
    assert all(p.in_app and p.email for p in notify.preferences(user=reporter))


def test_anonymous_people_have_no_preferences(api_client):
    # when
    responses = [api_client.get(URL), api_client.get(DIGEST), api_client.put(DIGEST, {})]

    # then
    assert [r.status_code for r in responses] == [401, 401, 401]
