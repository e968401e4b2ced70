"""Community tests create many accounts: a fast password hasher keeps them quick."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MODERATION_TERM_LISTS = {}


@pytest.fixture
def chat_channels(db: None) -> list[str]:
    """The chats the chat tests write in, opened as the newsroom would (a program's, say)."""
    from community.chat import services as chat_services

    names = ["main", "second", "other"]
    for name in names:
        chat_services.chat_channel_open(channel=name)
    return names
