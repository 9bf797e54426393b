"""What the transport pages share: the coordinator check, error text, the campaign chooser,
the way back after a small form and the latest transport notices."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.notifications import selectors as notification_selectors
from transport.messages import PREFIX as NOTICE_PREFIX
from transport.models import Trip


def refuse_unless_coordinator(request):
    """Return the 403 answer for anyone but a coordinator, else None."""
    if not access.is_coordinator(request.user):
        return HttpResponseForbidden(_("只有协作专员可以管理点对点运输。"))
    return None


def error_text(error: ValidationError | PermissionDenied) -> str:
    return "；".join(getattr(error, "messages", None) or [str(error)])


def campaign_of(request):
    campaigns = access.transport_campaigns_managed_by(request.user)
    chosen = request.GET.get("campaign") or request.POST.get("campaign")
    if chosen and chosen.isdigit():
        return get_object_or_404(campaigns, pk=int(chosen)), campaigns
    # By default the latest campaign that has trips (an upcoming one without any would
    # show an empty page), else the latest.
    with_trips = campaigns.filter(pk__in=Trip.objects.values("campaign_id")).first()
    return with_trips or campaigns.first(), campaigns


def back_url(request, fallback: str) -> str:
    """Return the page to go back to after a small form: ``next`` if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def notices(user):
    return notification_selectors.messages_for(user, 5, key_prefix=NOTICE_PREFIX)


def notices_unread(user) -> int:
    return notification_selectors.messages_unread_count(user, key_prefix=NOTICE_PREFIX)
