"""What outreach shows on other apps' pages and in the menu (registered from ``ready``)."""

from django.utils.translation import gettext_lazy as _

from laborbridge import access, registry
from laborbridge.models import Role


def worker_sms_section(request, worker) -> dict | None:
    """Return the worker page's SMS section (last messages) for those who manage the
    worker's SMS; nothing for anyone else."""
    if not access.sms_workers_managed_by(request.user).filter(pk=worker.pk).exists():
        return None
    from outreach.services import worker_opted_out

    messages = list(
        access.sms_messages_visible_to(request.user).filter(worker=worker).order_by("-id")[:5]
    )
    return {"sms": messages, "opted_out": worker_opted_out(worker)}


def me_sms_section(_request, worker) -> dict | None:
    """Return the worker's own page's note on SMS (what TD stops and what it does not)."""
    from outreach.services import worker_opted_out

    return {"opted_out": worker_opted_out(worker)}


def registry_fill() -> None:
    registry.menu_entry_register(
        roles={Role.COUNTY_OFFICIAL: 58, Role.COORDINATOR: 58, Role.ADMIN: 58},
        url_name="outreach:dashboard",
        label=_("短信"),
    )
    registry.page_section_register(
        page="workers:detail",
        template="outreach/_worker_sms.html",
        context=worker_sms_section,
        position=75,
    )
    from outreach.demo import demo_sms_summary

    registry.demo_step_register("outreach.sms", demo_sms_summary, position=90)
    registry.page_section_register(
        page="selfservice:me",
        template="outreach/_me_sms.html",
        context=me_sms_section,
        position=90,
    )
