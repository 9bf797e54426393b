from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("用工企业与岗位")

    def ready(self) -> None:
        # Registers the vacancy importer (and with it the import Celery tasks).
        from jobs import importers  # noqa: F401
