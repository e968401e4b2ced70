from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    label = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's models are not loaded when apps.py is.
        from community import reviewable  # noqa: PLC0415
        from community.assignments.selectors import assignment_city_and_title  # noqa: PLC0415
        from community.chat import services as chat_services  # noqa: PLC0415
        from fieldcast.core import domain_events  # noqa: PLC0415
        from ingest.assignments import register_assignment_lookup  # noqa: PLC0415
        from ingest.program.domain_events import ProgramCreated  # noqa: PLC0415

        # Moderation and the ingest sit below this app: they reach comments and assignments
        # through what is registered here, and announce what community acts on.
        reviewable.register()
        register_assignment_lookup(assignment_city_and_title)
        domain_events.subscribe(ProgramCreated, chat_services.chat_channel_open_for_program)
