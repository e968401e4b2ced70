"""Bad input gets its message in the visitor's language: here Simplified Chinese.

Browsers in China send `Accept-Language: zh-CN`; Django maps it to our zh-hans catalog.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from fieldcast.accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


@pytest.fixture(autouse=True)
def _no_rate_limits_from_other_tests() -> None:
    cache.clear()


def test_unknown_api_route_in_chinese(api_client: APIClient) -> None:
    # when a Chinese client calls an unknown address
    response = api_client.get("/api/v1/no-such-thing/", **CHINESE)

    # then the message is in Chinese, the code stays the same
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "此地址没有 API 接口。",
        "fields": {},
    }


def test_non_json_body_in_chinese(api_client: APIClient) -> None:
    # when a Chinese client sends a body that is not JSON
    response = api_client.post(
        "/api/v1/auth/token/", data="{oops", content_type="application/json", **CHINESE
    )

    # then it is told in Chinese
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert response.json()["error"]["message"] == "无法读取请求内容：请发送有效的 JSON。"


def test_invalid_token_in_chinese(api_client: APIClient) -> None:
    # when a Chinese client sends a token that does not exist
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope", **CHINESE)

    # then it is told in Chinese
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response.json()["error"]["message"] == "此 API 令牌无效或已被撤销。"


def test_wrong_password_in_chinese(viewer: User) -> None:
    # when a Chinese client asks for a token with a wrong password
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"email": viewer.email, "password": "not-the-password"},
        format="json",
        **CHINESE,
    )

    # then it is told in Chinese
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert response.json()["error"]["message"] == "邮箱或密码错误，或该账户未激活。"


def test_expired_session_in_chinese(viewer: User) -> None:
    # given a Chinese browser whose session the server no longer has
    api = APIClient()
    api.force_login(viewer)
    page = Client()
    page.force_login(viewer)
    Session.objects.all().delete()

    # when it calls the API and opens a page
    api_response = api.get("/api/v1/me/", **CHINESE)
    page_response = page.get("/", **CHINESE)

    # then both say, in Chinese, that the session expired
    assert api_response.status_code == 401
    assert api_response.json()["error"] == {
        "code": "session_expired",
        "message": "登录已过期，请重新登录。",
        "fields": {},
    }
    assert "登录已过期，请重新登录。" in page_response.content.decode()


def test_weak_password_in_chinese(client: Client) -> None:
    # when a Chinese visitor signs up with a common password
    response = client.post(
        "/accounts/signup/",
        {"email": "weak@example.org", "password1": "password123", "password2": "password123"},
        **CHINESE,
    )

    # then the form says why in Chinese, and nothing is created
    assert response.status_code == 200
    assert "这个密码太常见了。" in response.context["form"].errors["password1"]
    assert User.objects.count() == 0


def test_taken_email_in_chinese_tells_nothing_on_the_page(client: Client, mailoutbox) -> None:
    # given an account with this email exists
    UserFactory(email="taken@example.org")

    # when a Chinese visitor signs up with it
    response = client.post(
        "/accounts/signup/",
        {
            "email": "taken@example.org",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
        **CHINESE,
    )

    # then the answer is the usual one (no "already registered": accounts cannot be enumerated),
    # the owner is emailed instead, and no second account exists
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert [mail.to for mail in mailoutbox] == [["taken@example.org"]]
    assert User.objects.count() == 1


def test_unknown_page_in_chinese(client: Client) -> None:
    # when a Chinese visitor opens an address that does not exist
    response = client.get("/no/such/page/", **CHINESE)

    # then the 404 page is in Chinese
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in response.content.decode()
