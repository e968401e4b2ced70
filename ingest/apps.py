from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "ingest"
    label = "ingest"
    verbose_name = _("Live ingest")

    def ready(self) -> None:
        from fieldcast.accounts.events import subscribe_password_replaced  # noqa: PLC0415
        from ingest.credentials import stream_keys_after_password_replaced  # noqa: PLC0415

        # Accounts is a lower layer: it announces a replaced password, ingest revokes its keys.
        subscribe_password_replaced(stream_keys_after_password_replaced)
