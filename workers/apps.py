from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = _("劳动力登记")

    def ready(self) -> None:
        # Registers the roster importer (and with it the import Celery tasks).
        from workers import importers  # noqa: F401
