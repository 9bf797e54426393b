from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementConfig(AppConfig):
    name = "placement"
    verbose_name = _("就业跟踪")

    def ready(self) -> None:
        # Registers the wage-roster importer (and with it the import Celery tasks).
        from placement import (
            importers,  # noqa: F401
            messages,
        )

        messages.register()  # placement's message keys in the notification outbox
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the worker page's employment-history section."""
        from laborbridge import registry
        from placement.selectors import worker_history_section

        registry.page_section_register(
            page="workers:detail",
            template="placement/_worker_history.html",
            context=worker_history_section,
            position=60,
        )
