from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fieldcast.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from fieldcast.accounts.roles import sync_roles_after_migrate  # noqa: PLC0415

        # Groups need the permissions Django creates after migrating, hence post_migrate.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
