from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "fieldcast.points"
    label = "points"
    verbose_name = _("Points and levels")

    def ready(self) -> None:
        from fieldcast.points import signals  # noqa: F401 - connects the activity receivers
