"""The notifications page: the user's messages, unread first, and marking them read."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.notifications import messages, selectors, services

PAGE_SIZE = 30


def _back(request) -> str:
    """Return the page to go back to after a small form: ``next`` if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notifications:list")


@login_required
def message_list(request):
    """The user's messages, unread first; ``?unread=1`` lists only the unread ones and
    ``?key=…`` one kind of message."""
    unread_only = request.GET.get("unread") == "1"
    key = request.GET.get("key", "")
    rows = selectors.messages_for(request.user, None, unread_only=unread_only, key=key)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = [(k, messages.label_of(k)) for k in selectors.message_keys_for(request.user)]
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread": selectors.messages_unread_count(request.user),
            "unread_only": unread_only,
            "key": key,
            "kinds": kinds,
        },
    )


@login_required
@require_POST
def message_mark(request, pk: int):
    """Mark one message read (or, with ``read=0``, unread again) for the user."""
    message = get_object_or_404(access.messages_visible_to(request.user), pk=pk)
    if request.POST.get("read", "1") == "0":
        services.message_mark_unread(actor=request.user, message=message)
    else:
        services.message_mark_read(actor=request.user, message=message)
    return redirect(_back(request))


@login_required
@require_POST
def messages_mark_all(request):
    count = services.messages_mark_all_read(actor=request.user)
    if count:
        flash.success(request, _("%(count)s 条通知已标为已读。") % {"count": count})
    return redirect(_back(request))
