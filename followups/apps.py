from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("回访")

    def ready(self) -> None:
        from followups import messages

        messages.register()
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the menu entries and home figures of follow-ups (laborbridge.registry)."""
        from followups.demo import demo_followups_step
        from followups.selectors import home_figures, worker_next_followup_section
        from laborbridge import registry
        from laborbridge.models import Role

        registry.menu_entry_register(
            roles={Role.LIAISON: 20}, url_name="followups:placed", label=_("在岗人员")
        )
        registry.menu_entry_register(
            roles={Role.LIAISON: 10, Role.COUNTY_OFFICIAL: 55},
            url_name="followups:list",
            label=_("我的回访"),
        )
        registry.menu_entry_register(
            roles={Role.COORDINATOR: 45, Role.ADMIN: 45},
            url_name="followups:list",
            label=_("回访"),
        )
        registry.menu_entry_register(
            roles={Role.COORDINATOR: 46, Role.ADMIN: 46},
            url_name="followups:schedules",
            label=_("回访计划"),
        )
        registry.home_figures_register("followups", home_figures)
        # The worker's own page (selfservice, no login): "my next follow-up".
        registry.page_section_register(
            page="selfservice:me",
            template="followups/_me_next.html",
            context=worker_next_followup_section,
            position=30,
        )
        # After the placements exist; before the cases, which may refer to follow-ups.
        registry.demo_step_register("followups", demo_followups_step, position=40)
