from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfserviceConfig(AppConfig):
    name = "selfservice"
    verbose_name = _("劳动力个人页")

    def ready(self) -> None:
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the worker page's personal-link and travel-notice section and the demo
        step that issues the demo travellers' links."""
        from laborbridge import registry
        from selfservice.demo import demo_links_issue
        from selfservice.selectors import worker_link_section

        registry.page_section_register(
            page="workers:detail",
            template="selfservice/_worker_link.html",
            context=worker_link_section,
            position=70,
        )
        registry.demo_step_register("selfservice.links", demo_links_issue, position=80)
