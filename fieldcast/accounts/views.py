"""Account pages: the profile, with the API token section."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fieldcast.accounts import services
from fieldcast.accounts.forms import ProfileForm
from fieldcast.accounts.models import ApiToken, User
from fieldcast.accounts.selectors import user_roles
from fieldcast.core.errors import ApplicationError


def _profile_context(user: User, **extra: object) -> dict[str, object]:
    return {
        "token": ApiToken.objects.filter(user=user).first(),
        "roles": user_roles(user=user),
        **extra,
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(instance=user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=user)
        if form.is_valid():
            try:
                services.profile_update(
                    user=user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    city=form.cleaned_data["city"],
                    avatar=request.FILES.get("avatar"),
                )
            except ApplicationError as error:
                error.show_on(form)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("profile")
    return render(request, "accounts/profile.html", _profile_context(user, form=form))


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    key = services.api_token_create(user=user)
    context = _profile_context(user, new_key=key)
    template = (
        "accounts/_token.html" if request.headers.get("HX-Request") else "accounts/profile.html"
    )
    if template == "accounts/profile.html":
        context["form"] = ProfileForm(instance=user)
    return render(request, template, context)


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        services.api_token_revoke(user=user)
        messages.success(
            request, _("Your API token was revoked. Programs using it are locked out.")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    if request.headers.get("HX-Request"):
        return render(request, "accounts/_token.html", _profile_context(user))
    return redirect("profile")
