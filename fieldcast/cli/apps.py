from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "fieldcast.cli"
    label = "cli"
