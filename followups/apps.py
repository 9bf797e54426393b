from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("回访")

    def ready(self) -> None:
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the menu entries and home figures of follow-ups (laborbridge.registry)."""
        from followups.selectors import home_figures
        from laborbridge import registry
        from laborbridge.models import Role

        registry.menu_entry_register(
            roles={Role.LIAISON: 20}, url_name="followups:placed", label=_("在岗人员")
        )
        registry.home_figures_register("followups", home_figures)
