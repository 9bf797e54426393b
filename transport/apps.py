from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransportConfig(AppConfig):
    name = "transport"
    verbose_name = _("点对点运输")

    def ready(self) -> None:
        from transport import messages

        messages.register()  # transport's message keys in the notification outbox
        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the transport menu entries (laborbridge.registry)."""
        from laborbridge import registry
        from laborbridge.models import Role

        registry.menu_entry_register(
            roles={Role.ADMIN: 50, Role.COORDINATOR: 15},
            url_name="transport:trip_list",
            label=_("点对点运输"),
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 50},
            url_name="transport:county_travel",
            label=_("出行安排"),
        )
        registry.menu_entry_register(
            roles={Role.EMPLOYER_HR: 50}, url_name="transport:arrivals", label=_("到岗签到")
        )
