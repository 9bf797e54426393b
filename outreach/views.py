"""Staff pages of outreach — a worker's messages with resend, bulk messages with a preview,
the delivery dashboard — and the provider's signed callbacks (receipts, TD replies)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.models import Region, Role
from outreach import services
from outreach.models import SmsOptOut, SmsReason, SmsStatus

STAFF = (Role.COUNTY_OFFICIAL, Role.COORDINATOR, Role.ADMIN)
SIGNATURE_HEADER = "HTTP_X_LABORBRIDGE_SIGNATURE"
OUTBOX_PAGE = 50  # messages a page of the outbox list
CALLBACK_MAX_BYTES = 1_000_000  # a receipt push carries at most a few thousand rows


@access.require_role(*STAFF)
def worker_messages(request, pk: int):
    worker = get_object_or_404(access.sms_workers_managed_by(request.user), pk=pk)
    rows = (
        access.sms_messages_visible_to(request.user)
        .filter(worker=worker)
        .select_related("campaign")
        .order_by("-id")[:200]
    )
    return render(
        request,
        "outreach/worker_messages.html",
        {
            "worker": worker,
            "rows": rows,
            "opted_out": services.worker_opted_out(worker),
            "resendable": {
                SmsStatus.SENT,
                SmsStatus.DELIVERED,
                SmsStatus.FAILED,
                SmsStatus.SUPPRESSED,
            },
        },
    )


@require_POST
@access.require_role(*STAFF)
def resend(request, pk: int):
    message = get_object_or_404(access.sms_messages_visible_to(request.user), pk=pk)
    try:
        services.sms_resend(actor=request.user, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已重新排队发送。"))
    return redirect("outreach:worker_messages", pk=message.worker_id)


def _audience(request):
    """Return (workers, description, county) of the bulk form's filter: a car of a trip
    (``trip`` + ``car``) or a township's placed workers (``township``)."""
    data = request.POST if request.method == "POST" else request.GET
    managed = access.sms_workers_managed_by(request.user)
    trip_id, car_no, township = data.get("trip"), data.get("car"), data.get("township")
    if trip_id:
        trip = get_object_or_404(access.trips_visible_to(request.user), pk=trip_id)
        seats = access.seats_visible_to(request.user).filter(trip=trip, released_at=None)
        label = trip.service_number
        if car_no:
            if not car_no.isdigit():
                raise ValidationError(_("车厢号应为数字。"))
            seats = seats.filter(car__car_no=int(car_no))
            label = _("%(trip)s 第%(car)s车厢") % {"trip": trip.service_number, "car": car_no}
        workers = managed.filter(pk__in=seats.values("worker_id"))
    elif township:
        region = get_object_or_404(Region, code=township)
        workers = managed.filter(
            home_township=region,
            employments__ended_on=None,
        ).distinct()
        label = _("%(township)s 在岗人员") % {"township": region.name}
    else:
        return None, "", None
    workers = list(workers.select_related("home_county").order_by("pk")[:10001])
    if len(workers) > 10000:
        raise ValidationError(_("一次群发最多10000人，请缩小范围。"))
    county = workers[0].home_county if workers else None
    return workers, str(label), county


@access.require_role(*STAFF)
def bulk(request):
    content = request.POST.get("content", "") if request.method == "POST" else ""
    preview = None
    try:
        workers, label, county = _audience(request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        workers, label, county = None, "", None
    county_name = county.name if county is not None else ""
    if workers is not None and request.method == "POST":
        try:
            if request.POST.get("action") == "send":
                campaign = services.bulk_send(
                    actor=request.user,
                    workers=workers,
                    content=content,
                    county_name=county_name,
                    audience=label,
                    confirmed=request.POST.get("confirm") == "1",
                    county_id=county.pk if county is not None else None,
                    pairing_id=request.user.pairing_id,
                )
                messages.success(
                    request,
                    _("已为%(n)s人排队发送。") % {"n": campaign.recipients},
                )
                return redirect("outreach:dashboard")
            preview = services.bulk_preview(
                workers=workers, content=content, county_name=county_name
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            try:
                preview = services.bulk_preview(
                    workers=workers, content=content, county_name=county_name
                )
            except ValidationError:
                preview = None
    return render(
        request,
        "outreach/bulk.html",
        {
            "label": label,
            "count": len(workers) if workers is not None else None,
            "content": content,
            "preview": preview,
            "filters": {
                k: request.POST.get(k) or request.GET.get(k, "")
                for k in ("trip", "car", "township")
            },
            "trips": access.trips_visible_to(request.user).order_by("-departure_at")[:50],
            "limit": services.CONTENT_MAX,
        },
    )


@access.require_role(*STAFF)
def dashboard(request):
    sms = access.sms_messages_visible_to(request.user)
    campaigns = (
        access.sms_campaigns_visible_to(request.user)
        .annotate(
            n_sent=Count("messages", filter=Q(messages__status=SmsStatus.SENT)),
            n_delivered=Count("messages", filter=Q(messages__status=SmsStatus.DELIVERED)),
            n_failed=Count("messages", filter=Q(messages__status=SmsStatus.FAILED)),
            n_queued=Count(
                "messages", filter=Q(messages__status__in=[SmsStatus.QUEUED, SmsStatus.SENDING])
            ),
        )
        .order_by("-id")[:50]
    )
    by_status = dict(sms.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    labels = dict(SmsReason.choices)
    failed = [
        (labels.get(reason, reason or _("未知")), n)
        for reason, n in sms.filter(status__in=[SmsStatus.FAILED, SmsStatus.SUPPRESSED])
        .values_list("reason")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("reason", "n")
    ]
    status_rows = [(value, label, by_status.get(value, 0)) for value, label in SmsStatus.choices]
    opted = SmsOptOut.objects.filter(phone_index__in=sms.values("phone_index")).count()
    status = request.GET.get("status", "")
    listed = sms.filter(status=status) if status in SmsStatus.values else sms
    page = Paginator(
        listed.select_related("worker").order_by("-scheduled_for", "-id"), OUTBOX_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/dashboard.html",
        {
            "status_rows": status_rows,
            "failed": failed,
            "campaigns": campaigns,
            "opted_out": opted,
            "page": page,
            "status": status if status in SmsStatus.values else "",
            "status_label": dict(SmsStatus.choices).get(status, ""),
        },
    )


# --- the provider's callbacks ----------------------------------------------------------------


def _signed_body(request) -> bytes | None:
    """Return the body if it carries a valid HMAC-SHA256 of the shared secret, else None."""
    secret = settings.SMS_RECEIPT_SECRET
    if not secret:
        return None
    body = request.body[: CALLBACK_MAX_BYTES + 1]
    if len(body) > CALLBACK_MAX_BYTES:
        return None
    given = request.META.get(SIGNATURE_HEADER, "").removeprefix("sha256=")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body if given and hmac.compare_digest(given, expected) else None


def _rows(body: bytes) -> list[dict] | None:
    try:
        rows = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return None
    return rows


def _refused(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": status, "msg": message}, status=status)


def _signed_push(handle: Callable[[list[dict]], None]):
    """Return the view of a provider's push: an unsigned body is refused (403), one that is
    not a JSON list of objects too (400); otherwise ``handle`` gets the rows and the
    provider is told it succeeded."""

    @csrf_exempt
    @require_POST
    @functools.wraps(handle)
    def view(request):
        body = _signed_body(request)
        if body is None:
            return _refused(403, "signature")
        rows = _rows(body)
        if rows is None:
            return _refused(400, "body")
        handle(rows)
        return JsonResponse({"code": 0, "msg": "成功"})

    return view


@_signed_push
def receipts(rows: list[dict]) -> None:
    """Delivery receipts (Alibaba's SmsReport push): a JSON list of reports; signed."""
    parsed = []
    for row in rows:
        when = parse_datetime(str(row.get("report_time") or "")) if row.get("report_time") else None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))  # provider: Beijing time
        parsed.append(
            services.Receipt(
                out_id=str(row.get("out_id") or ""),
                biz_id=str(row.get("biz_id") or ""),
                success=bool(row.get("success")),
                err_code=str(row.get("err_code") or ""),
                report_time=when,
            )
        )
    services.sms_receipts_apply(receipts=[r for r in parsed if r.out_id])


OPT_OUT_WORDS = {"TD", "T", "N", "退订", "0000"}


@_signed_push
def replies(rows: list[dict]) -> None:
    """Workers' replies (Alibaba's SmsUp push): "TD" / "退订" opts the number out; signed."""
    for row in rows:
        if str(row.get("content", "")).strip().upper() in OPT_OUT_WORDS:
            try:
                services.sms_opt_out(phone=str(row.get("phone_number", "")))
            except ValidationError:
                continue
