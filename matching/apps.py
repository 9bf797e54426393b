from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("人岗匹配")

    def ready(self) -> None:
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the matching menu entries and the worker page's matches section."""
        from laborbridge import registry
        from laborbridge.models import Role
        from matching.selectors import worker_matches_section

        registry.menu_entry_register(
            roles={Role.ADMIN: 40, Role.COORDINATOR: 10},
            url_name="matching:round_list",
            label=_("匹配轮次"),
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 40},
            url_name="matching:county_matches",
            label=_("匹配与推荐"),
        )
        registry.menu_entry_register(
            roles={Role.EMPLOYER_HR: 40}, url_name="matching:candidates", label=_("候选人")
        )
        # A coordinator reviews matches in the Django admin.
        registry.menu_entry_register(
            roles={Role.COORDINATOR: 70}, url_name="admin:index", label=_("匹配审核")
        )
        registry.page_section_register(
            page="workers:detail",
            template="matching/_worker_matches.html",
            context=worker_matches_section,
        )
