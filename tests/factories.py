"""factory_boy factories for the test suite."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress

from fieldcast.accounts import services
from fieldcast.accounts.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    city = "Lagos"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if not create:
            return
        self.save()
        services.user_setup_new(user=self)
        EmailAddress.objects.get_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )
        for role in extracted or []:
            services.user_grant_role(user=self, role=role, granted_by=None)


class VideoFactory(factory.django.DjangoModelFactory):
    """A video in any state: `VideoFactory(owner=reporter, state="pending_review")`."""

    class Meta:
        model = "videos.Video"

    owner = factory.SubFactory(UserFactory, roles=["reporter"])
    title = factory.Sequence(lambda n: f"Clip {n}")
    description = "Filmed at the market this morning."
    state = "uploading"
