from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaborbridgeConfig(AppConfig):
    name = "laborbridge"
    verbose_name = _("基础数据与账户")

    def ready(self):
        from laborbridge.security import access_logs_mask

        access_logs_mask()
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the core's menu entries and home figures (the apps register theirs)."""
        from laborbridge import registry
        from laborbridge.models import Role
        from laborbridge.notifications.selectors import unread_badge_of
        from laborbridge.selectors import core_home_figures

        registry.menu_entry_register(
            roles={role: 0 for role in Role.values}, url_name="home", label=_("首页")
        )
        registry.menu_entry_register(
            roles={Role.ADMIN: 90}, url_name="admin:index", label=_("后台管理")
        )
        registry.menu_entry_register(
            roles={
                Role.COUNTY_OFFICIAL: 80,
                Role.EMPLOYER_HR: 80,
                Role.COORDINATOR: 80,
                Role.LIAISON: 80,
            },
            url_name="notifications:list",
            label=_("通知"),
            badge=unread_badge_of,  # kept in Redis until the notices change
        )
        registry.home_figures_register("laborbridge", core_home_figures)
