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
        # Return trips (返乡 / 返岗) write the history at the roll call (transport signals it).
        from placement import trip_returns

        trip_returns.connect()
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the worker page's employment-history section and the wage-flag list."""
        from laborbridge import registry
        from laborbridge.models import Role
        from placement.demo_rosters import demo_poverty_export_step
        from placement.selectors import worker_history_section

        registry.menu_entry_register(
            roles={Role.EMPLOYER_HR: 45},
            url_name="placement:wage_import",
            label=_("上传工资花名册"),
        )
        registry.menu_entry_register(
            roles={Role.COORDINATOR: 75, Role.ADMIN: 75},
            url_name="placement:wage_flags",
            label=_("工资低于承诺"),
        )

        # Rosters and exports people must file (issue 13, placement.views_rosters).
        registry.menu_entry_register(
            roles={Role.COORDINATOR: 47, Role.ADMIN: 47, Role.LIAISON: 21, Role.EMPLOYER_HR: 55},
            url_name="placement:roster",
            label=_("在岗人员花名册"),
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 55, Role.ADMIN: 47},
            url_name="placement:census",
            label=_("月度在岗摸底表"),
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 56, Role.ADMIN: 48},
            url_name="placement:poverty_exports",
            label=_("防返贫监测导出"),
        )
        registry.demo_step_register(
            "placement.poverty_export", demo_poverty_export_step, position=90
        )

        registry.page_section_register(
            page="workers:detail",
            template="placement/_worker_history.html",
            context=worker_history_section,
            position=60,
        )
