from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    label = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from community import chat_services
        from fieldcast.core import domain_events
        from ingest.program.domain_events import ProgramCreated

        domain_events.subscribe(ProgramCreated, chat_services.chat_channel_open_for_program)
