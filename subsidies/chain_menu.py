"""Menu entries of the approval chain, payments and report (laborbridge.registry)."""

from django.utils.translation import gettext_lazy as _


def chain_menu_register() -> None:
    """Register the chain's menu entries for the roles that work on it."""
    from laborbridge import registry
    from laborbridge.models import Role

    registry.menu_entry_register(
        roles={Role.TOWNSHIP_OFFICER: 20, Role.COUNTY_OFFICIAL: 60, Role.ADMIN: 60},
        url_name="subsidy_chain:applications",
        label=_("补贴审批"),
    )
    registry.menu_entry_register(
        roles={Role.TOWNSHIP_OFFICER: 21}, url_name="subsidy_chain:notices", label=_("公示")
    )
    registry.menu_entry_register(
        roles={Role.COUNTY_OFFICIAL: 61, Role.ADMIN: 61},
        url_name="subsidy_chain:batches",
        label=_("补贴发放"),
    )
    registry.menu_entry_register(
        roles={Role.COUNTY_OFFICIAL: 62, Role.COORDINATOR: 62, Role.ADMIN: 62},
        url_name="subsidy_chain:report",
        label=_("补贴统计"),
    )
