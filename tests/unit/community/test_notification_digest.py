"""Email digests: opt-in, one per person and period (never twice), translated, with unsubscribe."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.utils import timezone

from community.comments import services as comment_services
from community.likes import services as like_services
from community.models import DigestRun, Notification, NotificationSettings
from community.notifications import digest
from community.notifications import services as notification_services
from fieldcast.celery_app import app
from fieldcast.core.errors import NotAuthenticated, ValidationFailed
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_DIGEST_HOUR = 7
    settings.SITE_URL = "https://fieldcast.example"
    settings.TIME_ZONE = "UTC"


def _commented(owner, *, body: str = "nice clip", title: str = "Flood") -> Notification:
    video = VideoFactory(owner=owner, state="published", published_at=timezone.now(), title=title)
    fan = UserFactory(display_name="Fan Fola")
    comment_services.comment_create(user=fan, video_id=video.pk, body=body)
    return Notification.objects.filter(recipient=owner).latest("id")


def _opt_in(user, frequency: str = "daily", language: str = "") -> None:
    digest.notification_digest_set(user=user, digest=frequency, language=language)
    # opting in starts "from now": move the start back so earlier notifications count
    NotificationSettings.objects.filter(user=user).update(
        last_digest_at=MORNING - timedelta(days=2)
    )


def test_an_opted_in_reporter_gets_one_email_with_text_html_and_unsubscribe(reporter):
    # given
    _opt_in(reporter)
    item = _commented(reporter)
    Notification.objects.filter(pk=item.pk).update(created_at=MORNING - timedelta(hours=3))

    # when
    sent = digest.digests_send_due(now=MORNING)

    # then
    assert sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reporter.email]
    assert message.subject == "1 new notification on Fieldcast"
    assert "Fan Fola commented on “Flood”" in message.body
    assert f"https://fieldcast.example/videos/{item.video_id}/#comment-{item.comment_id}" in (
        message.body
    )
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "Fan Fola commented on “Flood”" in html
    unsubscribe = digest.unsubscribe_url(user_id=reporter.pk)
    assert unsubscribe in message.body
    assert unsubscribe in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    run = DigestRun.objects.get(user=reporter)
    assert (run.period, run.notification_count, run.sent_at is not None) == (
        "daily:2026-11-26",
        1,
        True,
    )


def test_a_retried_or_doubled_task_never_sends_the_same_digest_twice(reporter):
    # given
    _opt_in(reporter)
    item = _commented(reporter)
    Notification.objects.filter(pk=item.pk).update(created_at=MORNING - timedelta(hours=3))
    digest.digests_send_due(now=MORNING)

    # when the task runs again the same day, and a direct retry of the same period
    again = digest.digests_send_due(now=MORNING + timedelta(hours=1))
    retry = digest.digest_send(user_id=reporter.pk, period="daily:2026-11-26", now=MORNING)

    # then
    assert (again, retry) == (0, None)
    assert len(mail.outbox) == 1
    assert DigestRun.objects.filter(user=reporter).count() == 1


def test_the_next_digest_carries_only_what_came_since_the_last_one(reporter):
    # given yesterday's digest went out with the first comment
    _opt_in(reporter)
    first = _commented(reporter, title="First")
    Notification.objects.filter(pk=first.pk).update(created_at=MORNING - timedelta(hours=3))
    digest.digests_send_due(now=MORNING)
    second = _commented(reporter, title="Second")
    Notification.objects.filter(pk=second.pk).update(created_at=MORNING + timedelta(hours=5))

    # when
    digest.digests_send_due(now=MORNING + timedelta(days=1))

    # then
    assert len(mail.outbox) == 2
    assert "“Second”" in mail.outbox[1].body
    assert "“First”" not in mail.outbox[1].body


def test_read_notifications_and_email_muted_kinds_stay_out_and_nothing_new_sends_nothing(
    reporter,
):
    # given one read notification and one of a kind switched off for email
    _opt_in(reporter)
    read = _commented(reporter)
    Notification.objects.filter(pk=read.pk).update(
        created_at=MORNING - timedelta(hours=3), read_at=MORNING - timedelta(hours=2)
    )
    notification_services.notification_preferences_set(
        user=reporter, enabled={"video_liked": False}, channel="email"
    )
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    like_services.video_like(user=UserFactory(), video_id=video.pk)
    Notification.objects.filter(kind="video_liked").update(created_at=MORNING - timedelta(hours=1))

    # when
    sent = digest.digests_send_due(now=MORNING)

    # then
    assert sent == 0
    assert mail.outbox == []
    assert DigestRun.objects.get(user=reporter).notification_count == 0


def test_the_digest_is_written_in_the_persons_language(reporter):
    # given
    _opt_in(reporter, language="zh-hans")
    item = _commented(reporter)
    Notification.objects.filter(pk=item.pk).update(created_at=MORNING - timedelta(hours=3))

    # when
    digest.digests_send_due(now=MORNING)

    # then
    message = mail.outbox[0]
    assert message.subject == "Fieldcast 上有 1 条新通知"
    assert "Fan Fola 评论了“Flood”" in message.body


def test_weekly_digests_go_once_a_week_and_nothing_before_the_morning_hour(reporter):
    # given
    _opt_in(reporter, frequency="weekly")
    item = _commented(reporter)
    Notification.objects.filter(pk=item.pk).update(created_at=MORNING - timedelta(hours=3))

    # when
    early = digest.digests_send_due(now=MORNING.replace(hour=5))
    first = digest.digests_send_due(now=MORNING)
    later_same_week = digest.digests_send_due(now=MORNING + timedelta(days=1))

    # then
    assert (early, first, later_same_week) == (0, 1, 0)
    assert DigestRun.objects.get(user=reporter).period == "weekly:2026-W48"


def test_people_who_did_not_opt_in_get_no_email(reporter):
    # given
    item = _commented(reporter)
    Notification.objects.filter(pk=item.pk).update(created_at=MORNING - timedelta(hours=3))

    # when
    sent = digest.digests_send_due(now=MORNING)

    # then
    assert sent == 0
    assert mail.outbox == []
    assert DigestRun.objects.count() == 0


def test_unsubscribe_link_asks_first_then_turns_the_digest_off(reporter):
    # given
    _opt_in(reporter)
    url = digest.unsubscribe_url(user_id=reporter.pk).removeprefix("https://fieldcast.example")
    client = Client()

    # when
    asked = client.get(url)
    still_on = NotificationSettings.objects.get(user=reporter).digest
    done = client.post(url)

    # then
    assert asked.status_code == 200
    assert 'data-testid="unsubscribe-confirm"' in asked.content.decode()
    assert still_on == "daily"
    assert done.status_code == 200
    assert NotificationSettings.objects.get(user=reporter).digest == "off"


def test_a_forged_unsubscribe_token_is_refused_and_changes_nothing(reporter):
    # given
    _opt_in(reporter)
    token = digest.unsubscribe_token(user_id=reporter.pk)

    # when
    response = Client().post(f"/community/notifications/unsubscribe/{token}x/")

    # then
    assert response.status_code == 404
    assert NotificationSettings.objects.get(user=reporter).digest == "daily"


def test_bad_digest_choices_are_refused_and_change_nothing(reporter):
    # given
    _opt_in(reporter)

    # when
    with pytest.raises(ValidationFailed) as bad_frequency:
        digest.notification_digest_set(user=reporter, digest="hourly")
    with pytest.raises(ValidationFailed) as bad_language:
        digest.notification_digest_set(user=reporter, digest="weekly", language="xx")
    with pytest.raises(NotAuthenticated):
        digest.notification_digest_set(user=AnonymousUser(), digest="daily")

    # then
    assert bad_frequency.value.message == "Choose no email, daily or weekly."
    assert bad_language.value.message == "Choose one of the listed languages."
    row = NotificationSettings.objects.get(user=reporter)
    assert (row.digest, row.language) == ("daily", "")


def test_the_preferences_form_saves_all_or_nothing(reporter):
    # given
    client = Client()
    client.force_login(reporter)
    form = {
        "action": "preferences",
        "channels": "app email",
        "kinds": ["mention"],
        "email_kinds": ["video_commented"],
        "digest": "hourly",
        "digest_language": "en",
    }

    # when a refused digest choice comes with the switches
    refused = client.post("/community/notifications/", form, follow=True)
    form["digest"] = "weekly"
    saved = client.post("/community/notifications/", form)

    # then the refused post stored nothing, the good one stored everything
    assert "Choose no email, daily or weekly." in refused.content.decode()
    assert saved.status_code == 302
    prefs = {p.kind: (p.in_app, p.email) for p in digest.notify.preferences(user=reporter)}
    assert prefs["mention"] == (True, False)
    assert prefs["video_commented"] == (False, True)
    assert prefs["video_liked"] == (False, False)
    assert NotificationSettings.objects.get(user=reporter).digest == "weekly"


def test_a_mail_server_that_refuses_leaves_the_error_and_sends_nothing_twice(settings, reporter):
    # given opted in, something new, and a mail server that is not listening
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 18899, 2
    _opt_in(reporter)
    item = _commented(reporter)
    Notification.objects.filter(pk=item.pk).update(created_at=MORNING - timedelta(hours=3))

    # when the task runs, and runs again
    first = digest.digests_send_due(now=MORNING)
    again = digest.digests_send_due(now=MORNING + timedelta(minutes=10))

    # then nothing went out, the run keeps the error, and the notification is still unread
    run = DigestRun.objects.get(user=reporter)
    assert (first, again, run.sent_at) == (0, 0, None)
    assert "refused" in run.error.lower()
    assert Notification.objects.get(pk=item.pk).read_at is None


def test_the_digest_task_is_registered_and_scheduled(settings):
    # when the worker loads its task modules
    app.loader.import_default_modules()

    # then
    assert "community.digests_send" in app.tasks
    assert settings.CELERY_BEAT_SCHEDULE["community-notification-digests"]["task"] == (
        "community.digests_send"
    )
