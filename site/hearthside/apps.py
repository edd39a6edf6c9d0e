from django.apps import AppConfig


class HearthsideConfig(AppConfig):
    name = "hearthside"
    verbose_name = "Hearthside"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, receivers, signal_handlers  # noqa: F401

        signal_handlers.connect()
