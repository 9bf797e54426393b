from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("目标与看板")

    def ready(self) -> None:
        from targets.aggregates import aggregates_ensure
        from targets.reports import before_read_register
        from targets.signals import signals_connect

        self.registry_fill()
        signals_connect()
        before_read_register(aggregates_ensure)

    def registry_fill(self) -> None:
        """Register the menu entries and the demo step of targets (laborbridge.registry)."""
        from laborbridge import registry
        from laborbridge.models import Role
        from targets.demo import demo_targets_step

        registry.menu_entry_register(
            roles={Role.COORDINATOR: 60, Role.ADMIN: 60, Role.COUNTY_OFFICIAL: 60},
            url_name="targets:dashboard",
            label=_("协作看板"),
        )
        registry.menu_entry_register(
            roles={Role.EMPLOYER_HR: 60}, url_name="targets:employer_home", label=_("企业看板")
        )
        registry.menu_entry_register(
            roles={Role.COORDINATOR: 61, Role.ADMIN: 61, Role.COUNTY_OFFICIAL: 61},
            url_name="targets:lists",
            label=_("两张清单"),
        )
        registry.menu_entry_register(
            roles={Role.COORDINATOR: 62, Role.ADMIN: 62},
            url_name="targets:agreements",
            label=_("协议目标"),
        )
        # After the placements exist (the dashboards have something to show).
        registry.demo_step_register("targets", demo_targets_step, position=60)
