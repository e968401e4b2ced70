"""`python -m fieldcast demo`: demo accounts so a newcomer sees a living site."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from fieldcast.accounts import roles, services
from fieldcast.accounts.models import User

DEMO_ACCOUNTS: tuple[tuple[str, str, str, list[str]], ...] = (
    # email, display name, city, roles beyond viewer
    ("editor@demo.fieldcast", "Demo Editor", "Newsroom", [roles.REPORTER, roles.EDITOR]),
    ("reporter@demo.fieldcast", "Demo Reporter", "Lagos", [roles.REPORTER]),
    ("staff@demo.fieldcast", "Demo Staff", "Newsroom", [roles.REPORTER, roles.EDITOR, roles.STAFF]),
    ("viewer@demo.fieldcast", "Demo Viewer", "Berlin", []),
)


class Command(BaseCommand):
    help = "Create demo accounts (idempotent: existing ones are left as they are)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", default=settings.DEMO_PASSWORD)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        roles.sync_roles()
        for email, name, city, granted in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"display_name": name, "city": city}
            )
            if created:
                user.set_password(options["password"])
                user.save(update_fields=["password"])
                services.user_setup_new(user=user)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                for role in granted:
                    services.user_grant_role(user=user, role=role, granted_by=None)
            self.stdout.write(f"{'created' if created else 'exists '}  {email}")
        self.stdout.write(f"Demo password: {options['password']}")
