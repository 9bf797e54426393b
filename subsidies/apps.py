from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("补贴")

    def ready(self) -> None:
        from laborbridge import registry

        # The approval chain's menu entries (H5; H4's entries may sit beside this call).
        from subsidies.chain_menu import chain_menu_register

        chain_menu_register()
        # Policies and eligibility (H4).
        from subsidies.menu import policy_menu_register

        policy_menu_register()
        from subsidies.chain_selectors import worker_subsidies_section

        # The worker page shows their applications, payments and claw-backs.
        registry.page_section_register(
            page="workers:detail",
            template="subsidies/_worker_subsidies.html",
            context=worker_subsidies_section,
            position=75,
        )
        from subsidies.intermediaries import worker_intermediary_section

        registry.page_section_register(
            page="workers:detail",
            template="subsidies/_worker_intermediary.html",
            context=worker_intermediary_section,
            position=76,
        )
        from subsidies import intermediaries
        from workers.roster_links import IntermediaryHook, intermediary_hook_register

        # The county roster's 输转中介 column names and records intermediaries through this
        # hook (workers is below subsidies and may not import it).
        intermediary_hook_register(
            IntermediaryHook(
                names=intermediaries.roster_intermediary_names,
                current=intermediaries.roster_intermediary_current,
                link=intermediaries.roster_intermediary_link,
            )
        )
        from subsidies.chain_demo import demo_chain_step
        from subsidies.demo import demo_subsidies_step

        # After the placements and follow-ups; before the approval chain's step (75).
        registry.demo_step_register("subsidies", demo_subsidies_step, position=70)
        # The approval chain walks the policies' applications (H5), before the personal links.
        registry.demo_step_register("subsidies.chain", demo_chain_step, position=75)
