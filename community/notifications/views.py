"""Notification pages: the list with its preferences, and the email digest's unsubscribe link
(which needs no login).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from community.models import NotificationKind
from community.notifications import digest, selectors, services
from fieldcast.accounts.guards import AuthenticatedHttpRequest
from fieldcast.core.errors import ApplicationError, NotFound


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's notifications (newest first) and their per-kind preferences."""
    if request.method == "POST":
        if request.POST.get("action") == "preferences":
            chosen = set(request.POST.getlist("kinds"))
            emailed = set(request.POST.getlist("email_kinds"))
            with_email = "email" in request.POST.get("channels", "").split()
            try:
                digest.notification_settings_save(
                    user=request.user,
                    in_app={kind: kind in chosen for kind in NotificationKind.values},
                    email={kind: kind in emailed for kind in NotificationKind.values}
                    if with_email
                    else None,
                    digest=request.POST.get("digest") if with_email else None,
                    language=request.POST.get("digest_language", ""),
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("community:notifications")
            messages.success(request, _("Notification settings saved."))
            back = request.POST.get("next", "")
            if back and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(back)
        else:
            services.notifications_mark_read(user=request.user)
        return redirect("community:notifications")
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "community/notifications.html", {"page": page})


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
