"""Moderation reviews comments through the kind community registers, never by importing it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from community.comments import services as community_services
from community.models import CommentState
from community.reviewable import CommentReviewable
from moderation import reviewables
from moderation.models import CaseKind
from tests.unit.moderation.factories import published_video

MODERATION = Path(__file__).resolve().parents[3] / "moderation"


def test_community_registers_the_comment_kind_when_django_starts():
    # when
    comments = reviewables.reviewable(CaseKind.COMMENT)

    # then
    assert isinstance(comments, CommentReviewable)


def test_a_kind_no_app_registered_is_a_configuration_error():
    # when / then
    with pytest.raises(ImproperlyConfigured) as missing:
        reviewables.reviewable("poll")
    assert str(missing.value) == "No installed app registered the reviewable kind 'poll'."


@pytest.mark.django_db
def test_a_held_comment_is_described_from_its_own_row(settings, viewer, django_assert_num_queries):
    # given
    settings.MODERATION_TERM_LISTS = {"default": ["spam"]}
    video = published_video(title="Market fire")
    created = community_services.comment_create(
        user=viewer, video_id=video.pk, body="buy spam here " + "x" * 80
    )
    comments = reviewables.reviewable(CaseKind.COMMENT)
    comment = comments.find(pk=created.pk)
    assert comment is not None

    # when
    with django_assert_num_queries(0):
        item = comments.describe(comment)
        owner_video = comments.video(comment)

    # then
    assert (item.pk, item.owner_id, item.state, item.held, item.shown, item.flags) == (
        created.pk,
        viewer.pk,
        CommentState.HELD,
        True,
        False,
        ("term",),
    )
    assert item.summary == ("buy spam here " + "x" * 80)[:59] + "…"
    assert owner_video == video
    assert comments.find(pk=created.pk + 1000) is None


def _community_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("community")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("community"):
            module = node.module or ""
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_moderation_imports_nothing_from_community_but_its_notifications():
    # given
    sources = [path for path in MODERATION.rglob("*.py") if "migrations" not in path.parts]

    # when
    imported = {
        f"{path.relative_to(MODERATION.parent)}: {name}"
        for path in sources
        for name in _community_imports(path)
        if not (name + ".").startswith("community.notifications.notify.")
    }

    # then
    assert len(sources) > 20
    assert imported == set()
