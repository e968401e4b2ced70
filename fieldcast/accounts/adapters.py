"""django-allauth glue: new accounts get the viewer role, a verified email makes a reporter."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from fieldcast.accounts import services
from fieldcast.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(
        self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True
    ) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "")
        if commit:
            user.save()
            services.user_setup_new(user=user)
        return user

    def login(self, request: HttpRequest, user: Any) -> None:
        super().login(request, user)
        # Logging in again during the cooling-off period keeps the account.
        if getattr(user, "deletion_due_at", None) is not None and services.account_deletion_cancel(
            user=user, ip_address=request.META.get("REMOTE_ADDR")
        ):
            messages.info(request, _("Welcome back: your account will not be deleted."))

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        # The profile's stream keys section offers "Rotate all keys" after a change.
        return reverse("profile") + "#stream-keys"

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.user_grant_reporter_on_verified_email(user=email_address.user)
        return confirmed


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(
        self, request: HttpRequest, sociallogin: Any, form: BaseForm | None = None
    ) -> Any:
        user: User = super().save_user(request, sociallogin, form)
        services.user_setup_new(user=user)
        if EmailAddress.objects.filter(user=user, verified=True).exists():
            services.user_grant_reporter_on_verified_email(user=user)
        return user
