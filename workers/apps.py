from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = _("劳动力登记")

    def ready(self) -> None:
        # Registers the roster importer (and with it the import Celery tasks), and the
        # list count's signal receivers (workers.counts).
        from workers import counts, importers  # noqa: F401

        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the registry's menu entries and home figures (laborbridge.registry)."""
        from laborbridge import registry
        from laborbridge.models import Role
        from workers.selectors import home_figures

        registry.menu_entry_register(
            roles={Role.ADMIN: 10, Role.COORDINATOR: 20}, url_name="workers:list", label=_("劳动力")
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 10}, url_name="workers:list", label=_("劳动力名册")
        )
        registry.menu_entry_register(
            roles={Role.TOWNSHIP_OFFICER: 10}, url_name="workers:list", label=_("本乡镇劳动力")
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 11}, url_name="workers:import", label=_("导入花名册")
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 12}, url_name="workers:pending", label=_("待核实报名")
        )
        registry.home_figures_register("workers", home_figures)
