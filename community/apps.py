from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    label = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: the selectors import models, which load after the app registry.
        from community.selectors import assignment_city_and_title  # noqa: PLC0415
        from ingest.assignments import register_assignment_lookup  # noqa: PLC0415

        # The ingest sits below this app: it reads assignments through this hook.
        register_assignment_lookup(assignment_city_and_title)
