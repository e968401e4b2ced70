"""Account pages: the profile, with the API token section."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fieldcast.accounts import services
from fieldcast.accounts.forms import ProfileForm
from fieldcast.accounts.guards import AuthenticatedHttpRequest
from fieldcast.accounts.models import ApiToken, User
from fieldcast.accounts.selectors import user_roles
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ApplicationError, ValidationFailed


def _profile_context(user: User, **extra: object) -> dict[str, object]:
    token = ApiToken.objects.filter(user=user).first()
    return {
        "token": token,
        "token_expires_at": services.api_token_expires_at(token=token) if token else None,
        "roles": user_roles(user=user),
        "deletion_days": settings.ACCOUNT_DELETION_COOLING_OFF_DAYS,
        **extra,
    }


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
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
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
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
def token_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
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


def password_confirmed(request: HttpRequest, user: User, password: str) -> bool:
    """Check a password through `authenticate`, so the login limiter counts a wrong one."""
    if not user.has_usable_password():
        return True  # an account made through a social provider has no password to confirm
    return authenticate(request=request, email=user.email, password=password) is not None


@login_required
@require_POST
def deletion_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Schedule the account's deletion after the cooling-off period (password confirmed)."""
    user = request.user
    if not password_confirmed(request, user, request.POST.get("password", "")):
        error = ValidationFailed(_("The password is not correct."), code=ErrorCode.WRONG_PASSWORD)
        messages.error(request, error.message)
        return redirect(reverse("profile") + "#your-data")
    user = services.account_deletion_request(user=user, ip_address=request.META.get("REMOTE_ADDR"))
    assert user.deletion_due_at is not None  # noqa: S101 - the service just set it
    messages.warning(
        request,
        _(
            "Your account will be deleted on %(date)s. Until then you can cancel on this page, "
            "or simply by logging in again."
        )
        % {"date": date_format(user.deletion_due_at, "DATE_FORMAT")},
    )
    return redirect(reverse("profile") + "#your-data")


@login_required
@require_POST
def deletion_cancel(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if services.account_deletion_cancel(user=user, ip_address=request.META.get("REMOTE_ADDR")):
        messages.success(request, _("Your account will not be deleted."))
    return redirect(reverse("profile") + "#your-data")
