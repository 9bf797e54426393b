from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("补贴")

    def ready(self) -> None:
        # The approval chain's menu entries (H5; H4's entries may sit beside this call).
        from subsidies.chain_menu import chain_menu_register

        chain_menu_register()
        # Policies and eligibility (H4).
        from subsidies.menu import policy_menu_register

        policy_menu_register()
