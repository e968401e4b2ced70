from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "ingest"
    label = "ingest"
    verbose_name = _("Live ingest")

    def ready(self) -> None:
        from fieldcast.accounts.events import PasswordReplaced  # noqa: PLC0415
        from fieldcast.core import domain_events  # noqa: PLC0415
        from ingest.credentials import stream_keys_after_password_replaced  # noqa: PLC0415

        # Accounts is a lower layer: it announces a replaced password, ingest revokes its keys.
        domain_events.subscribe(PasswordReplaced, stream_keys_after_password_replaced)
