from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("补贴")

    def ready(self) -> None:
        # The approval chain's menu entries (H5; H4's entries may sit beside this call).
        from subsidies.chain_menu import chain_menu_register

        chain_menu_register()
        from laborbridge import registry
        from subsidies.chain_demo import demo_chain_step

        # After the policies' demo step (applications exist), before the personal links.
        registry.demo_step_register("subsidies.chain", demo_chain_step, position=75)
