"""Menu entries of policies and eligibility (laborbridge.registry)."""

from django.utils.translation import gettext_lazy as _


def policy_menu_register() -> None:
    """Register the policy list for the roles that read policies."""
    from laborbridge import registry
    from laborbridge.models import Role

    registry.menu_entry_register(
        roles={
            Role.COUNTY_OFFICIAL: 58,
            Role.TOWNSHIP_OFFICER: 19,
            Role.COORDINATOR: 58,
            Role.ADMIN: 58,
        },
        url_name="subsidies:policies",
        label=_("补贴政策"),
    )
    registry.menu_entry_register(
        roles={Role.COUNTY_OFFICIAL: 59, Role.COORDINATOR: 59, Role.ADMIN: 59},
        url_name="subsidies:intermediaries",
        label=_("输转奖补"),
    )
