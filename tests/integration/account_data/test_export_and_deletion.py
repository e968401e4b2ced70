"""A reporter exports their data and deletes their account after a cooling-off period."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from community.comments import services as community_services
from community.models import Comment, CommentState, Follow
from fieldcast.account_data import services
from fieldcast.account_data.tasks import accounts_erase_due
from fieldcast.accounts import services as account_services
from fieldcast.accounts.models import ApiToken, SecurityEvent, User
from fieldcast.points.services import points_award
from fieldcast.videos.models import Video
from ingest import services as ingest_services
from ingest.models import StreamKey
from tests.factories import DEFAULT_PASSWORD, UserFactory, VideoFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def busy_reporter(reporter, viewer):
    """A reporter with a published and a pending clip, a comment, points, a follower, keys."""
    published = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    pending = VideoFactory(owner=reporter, state="pending_review")
    comment = community_services.comment_create(
        user=reporter, video_id=published.pk, body="I filmed this at 7am."
    )
    points_award(user=reporter, rule="video_published", obj=f"v:{published.pk}", key="vp:1")
    Follow.objects.create(follower=viewer, reporter=reporter)
    account_services.api_token_create(user=reporter)
    ingest_services.stream_key_create(user=reporter, name="Phone")
    return reporter, published, pending, comment


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_export_from_the_profile_page_is_a_json_download(busy_reporter) -> None:
    # given a reporter with clips, a comment and points
    reporter, published, pending, comment = busy_reporter

    # when they press "Download my data"
    response = _client(reporter).post("/accounts/profile/export/")

    # then they get a JSON file with all of it
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="fieldcast-data-{reporter.pk}.json"'
    )
    data = json.loads(response.content)
    assert data["profile"]["email"] == reporter.email
    assert [clip["id"] for clip in data["clips"]] == [published.pk, pending.pk]
    assert [c["body"] for c in data["comments"]] == ["I filmed this at 7am."]
    assert sorted((p["rule"], p["points"]) for p in data["points"]) == [
        ("comment", 1),
        ("video_published", 10),
    ]
    assert SecurityEvent.objects.filter(kind="data_exported", user=reporter).count() == 1


def test_export_in_the_api(busy_reporter) -> None:
    reporter, *_rest = busy_reporter
    api = APIClient()
    api.force_authenticate(reporter)

    response = api.get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response.json()["profile"]["id"] == reporter.pk


def test_export_needs_a_login_and_a_post() -> None:
    assert APIClient().get("/api/v1/me/export/").status_code == 401
    assert Client().post("/accounts/profile/export/").status_code == 302
    reporter = UserFactory()
    assert _client(reporter).get("/accounts/profile/export/").status_code == 405


def test_profile_page_offers_export_and_deletion(reporter) -> None:
    body = _client(reporter).get("/accounts/profile/").content.decode()

    assert 'data-testid="export-data"' in body
    assert 'data-testid="request-deletion"' in body


def test_deletion_request_schedules_it_after_the_cooling_off_period(busy_reporter) -> None:
    # given a reporter on their profile page
    reporter, *_rest = busy_reporter
    client = _client(reporter)

    # when they ask to delete their account, with their password
    response = client.post("/accounts/profile/delete/", {"password": DEFAULT_PASSWORD})

    # then the deletion is scheduled, the page says when, and nothing is erased yet
    assert response.status_code == 302
    reporter.refresh_from_db()
    due = reporter.deletion_due_at
    expected = timezone.now() + timedelta(days=settings.ACCOUNT_DELETION_COOLING_OFF_DAYS)
    assert abs((due - expected).total_seconds()) < 60
    assert reporter.erased_at is None
    assert 'data-testid="deletion-scheduled"' in client.get("/accounts/profile/").content.decode()
    assert ApiToken.objects.filter(user=reporter).count() == 0
    assert services.accounts_erase_due() == 0


def test_deletion_request_with_a_wrong_password_changes_nothing(busy_reporter) -> None:
    # given the reporter's stored state
    reporter, *_rest = busy_reporter

    def state() -> tuple:
        return (
            list(User.objects.order_by("pk").values()),
            list(ApiToken.objects.values_list("pk", "key_hash")),
            SecurityEvent.objects.count(),
        )

    page_client = _client(reporter)
    api = APIClient()
    api.force_authenticate(reporter)
    before = state()

    # when the password is wrong (page and API)
    page = page_client.post("/accounts/profile/delete/", {"password": "nope-nope"})
    refused = api.post("/api/v1/me/deletion/", {"password": "nope-nope"}, format="json")

    # then both refuse and nothing changed
    assert page.status_code == 302
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "wrong_password"
    assert state() == before


def test_cancel_by_click_and_by_logging_in(reporter) -> None:
    # given a scheduled deletion
    account_services.account_deletion_request(user=reporter)

    # when the reporter clicks "Keep my account"
    _client(reporter).post("/accounts/profile/delete/cancel/")

    # then it is cancelled
    reporter.refresh_from_db()
    assert reporter.deletion_due_at is None

    # and when scheduled again, logging in again cancels it too
    account_services.account_deletion_request(user=reporter)
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": reporter.email, "password": DEFAULT_PASSWORD}, follow=True
    )
    reporter.refresh_from_db()
    assert reporter.deletion_due_at is None
    assert "your account will not be deleted" in response.content.decode()
    kinds = list(
        SecurityEvent.objects.filter(user=reporter).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == [
        "deletion_requested",
        "deletion_cancelled",
        "deletion_requested",
        "deletion_cancelled",
    ]


def test_api_schedules_and_cancels(reporter) -> None:
    api = APIClient()
    api.force_authenticate(reporter)

    scheduled = api.post("/api/v1/me/deletion/", {"password": DEFAULT_PASSWORD}, format="json")
    cancelled = api.delete("/api/v1/me/deletion/")
    again = api.delete("/api/v1/me/deletion/")

    assert scheduled.status_code == 202
    assert "due_at" in scheduled.json()
    assert cancelled.status_code == 204
    assert again.status_code == 404


def test_due_deletion_erases_personal_data_and_keeps_published_clips(
    busy_reporter, django_capture_on_commit_callbacks
) -> None:
    # given a deletion that fell due
    reporter, published, pending, comment = busy_reporter
    email = reporter.email
    account_services.account_deletion_request(user=reporter)
    User.objects.filter(pk=reporter.pk).update(deletion_due_at=timezone.now() - timedelta(1))
    subject = account_services.pseudonym(reporter.pk)

    # when the periodic task runs (twice: it is idempotent)
    with django_capture_on_commit_callbacks(execute=True):
        first = accounts_erase_due()
        second = accounts_erase_due()

    # then the account is erased once
    assert (first, second) == (1, 0)
    erased = User.objects.get(pk=reporter.pk)
    assert erased.email != email
    assert erased.email.endswith("@deleted.invalid")
    assert (erased.display_name, erased.bio, erased.city) == ("", "", "")
    assert not erased.is_active
    assert not erased.has_usable_password()
    assert list(erased.groups.all()) == []
    assert not EmailAddress.objects.filter(email=email).exists()
    # the published clip stays, under a neutral byline; the pending one is gone
    assert Video.objects.get(pk=published.pk).owner.public_name == "Former reporter"
    assert not Video.objects.filter(pk=pending.pk).exists()
    # the comment is emptied, follows and keys are gone
    assert Comment.objects.get(pk=comment.pk).state == CommentState.DELETED
    assert Comment.objects.get(pk=comment.pk).body == ""
    assert not Follow.objects.filter(reporter=erased).exists()
    assert not StreamKey.objects.filter(user=erased, revoked_at__isnull=True).exists()
    assert not ApiToken.objects.filter(user=erased).exists()
    # the audit trail keeps a pseudonymous id, never the email
    deleted = SecurityEvent.objects.get(kind="account_deleted")
    assert deleted.subject == subject
    assert email not in json.dumps(list(SecurityEvent.objects.values("detail", "subject")))
    # and nobody can log in as them
    assert (
        Client()
        .post("/accounts/login/", {"login": email, "password": DEFAULT_PASSWORD})
        .status_code
        == 200
    )


def test_a_cancelled_deletion_is_not_carried_out(reporter) -> None:
    # given a deletion asked for and then cancelled before the task ran
    account_services.account_deletion_request(user=reporter)
    account_services.account_deletion_cancel(user=reporter)

    # when the task runs later
    erased = services.account_erase(user_id=reporter.pk, now=timezone.now() + timedelta(days=365))

    # then nothing happens
    assert erased is False
    assert User.objects.get(pk=reporter.pk).is_active


def test_erase_due_task_is_on_the_beat_schedule() -> None:
    assert settings.CELERY_BEAT_SCHEDULE["account-data-erase-due"]["task"] == (
        "account_data.erase_due"
    )
