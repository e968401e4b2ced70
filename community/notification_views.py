"""Pages around notifications that need no login: the email digest's unsubscribe link."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from community import digest
from fieldcast.core.errors import NotFound


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058 one-click)
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners must not unsubscribe anyone); POST turns the digest off."""
    try:
        if request.method == "POST":
            user = digest.digest_unsubscribe(token=token)
            done = True
        else:
            user = digest.user_for_unsubscribe_token(token=token)
            done = False
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "community/notification_unsubscribe.html",
        {"done": done, "email": user.email, "token": token},
    )
