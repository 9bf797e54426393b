from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("问题反映")

    def ready(self) -> None:
        from cases import messages

        messages.register()  # the cases app's message keys in the notification outbox
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the menu entry and the worker page's cases section."""
        from cases.demo import demo_cases_load
        from cases.selectors import overdue_badge_of, worker_cases_section
        from laborbridge import registry
        from laborbridge.models import Role

        registry.menu_entry_register(
            roles={
                Role.COUNTY_OFFICIAL: 60,
                Role.COORDINATOR: 60,
                Role.LIAISON: 30,
                Role.ADMIN: 60,
            },
            url_name="cases:list",
            label=_("问题反映"),
            badge=overdue_badge_of,
        )
        registry.page_section_register(
            page="workers:detail",
            template="cases/_worker_cases.html",
            context=worker_cases_section,
            position=70,
        )
        registry.demo_step_register("cases", demo_cases_load, position=60)
