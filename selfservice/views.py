"""The worker's own page (no login, reached by the personal link) and the staff's side:
issuing and revoking links, and printing travel notices (出行告知单) with the link's QR code.

The token of a link exists only in the answer that issued it, so a notice with a QR code is
the answer of the POST that issues the links (no-store: never cached, never replayed).
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.forms import form_errors_add
from laborbridge.models import Region
from laborbridge.security import client_address
from selfservice import selectors, services
from selfservice.forms import JobChangeForm, ProvinceForm

# One phone opens its page a few times a day; a township behind one carrier-NAT address may
# hold many workers, so the per-address budget is generous. Tokens cannot be guessed anyway
# (256 bits): the limit keeps a scraper or a broken client from hammering the page.
OPENS_PER_ADDRESS = 120
OPEN_WINDOW_SECONDS = 600

STAFF = access.REGISTRY_READERS  # officials, coordinators, admins; scope from access


def _over_limit(request) -> bool:
    key = f"selfservice:addr:{client_address(request)}"
    if cache.add(key, 1, OPEN_WINDOW_SECONDS):
        return False
    try:
        return cache.incr(key) > OPENS_PER_ADDRESS
    except ValueError:  # expired between add and incr
        cache.set(key, 1, OPEN_WINDOW_SECONDS)
        return False


def _private(response):
    """Keep the worker's page out of caches, search engines and other sites' logs."""
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: other sites never see the link, but the page's own forms
    # must carry their Origin (no-referrer makes Chromium send "Origin: null", which
    # Django's CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


def _refusal(request, *, status: int, gone: bool = False):
    response = render(
        request, "selfservice/refused.html", {"gone": gone, "status": status}, status=status
    )
    if status == 429:
        response["Retry-After"] = str(OPEN_WINDOW_SECONDS)
    return _private(response)


def _with_link(view):
    """Resolve the token of the URL to its live link, or answer the refusal: 429 over the
    address budget, 404 for a token never issued, 410 for a revoked or expired link."""

    def wrapped(request, token: str, *args, **kwargs):
        if _over_limit(request):
            return _refusal(request, status=429)
        try:
            link = services.link_resolve(token)
        except services.LinkGone:
            return _refusal(request, status=410, gone=True)
        if link is None:
            return _refusal(request, status=404)
        try:
            return _private(view(request, link, token, *args, **kwargs))
        except services.LinkGone:
            return _refusal(request, status=410, gone=True)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _me(token: str) -> str:
    return reverse("selfservice_public:me", args=[token])


@_with_link
def me(request, link, token: str):
    """The worker's own page: job, employer, trip, contacts and the four buttons."""
    services.link_opened(link)
    return render(
        request,
        "selfservice/me.html",
        {
            "token": token,
            "view": selectors.worker_overview(link.worker),
            "sections": selectors.worker_page_sections(link.worker),
            "cases_enabled": services.cases_available(),
            "cases": selectors.worker_cases(link.worker),
        },
    )


@require_POST
@_with_link
def at_work(request, link, token: str):
    """ "我在岗": record a 在岗确认 (once a day)."""
    try:
        _event, new = services.worker_confirm_at_work(link=link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if new:
            messages.success(request, _("已记录：您今天在岗。谢谢！"))
        else:
            messages.info(request, _("今天已经确认过在岗，不用重复确认。"))
    return redirect(_me(token))


@_with_link
def job_change(request, link, token: str):
    """ "我换了工作": new employer's name, its county and the monthly wage."""
    overview = selectors.worker_overview(link.worker)
    if overview.employment is None:
        messages.error(request, _("您还没有到岗记录，到岗后才能使用这个功能。"))
        return redirect(_me(token))
    default_province = overview.employment.employer.district_id[:2] + "0000"
    province_form = ProvinceForm(request.GET or None, initial={"province": default_province})
    province = default_province
    if province_form.is_bound and province_form.is_valid():
        province = province_form.cleaned_data["province"].code
    if request.method == "POST":
        province = request.POST.get("province_code") or province
    form = JobChangeForm(request.POST or None, province=province)
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_job_change(
                link=link,
                employer_name=form.cleaned_data["employer_name"],
                workplace=form.cleaned_data["workplace"],
                monthly_wage=form.cleaned_data.get("monthly_wage"),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("已记录您的新工作。工作人员会和您联系核实。"))
            return redirect(_me(token))
    return render(
        request,
        "selfservice/job_change.html",
        {
            "token": token,
            "view": overview,
            "form": form,
            "province_form": province_form,
            "province": Region.objects.filter(pk=province).first(),
        },
    )


CASE_KINDS = {services.CASE_GO_HOME: True, services.CASE_PROBLEM: False}


@_with_link
def case(request, link, token: str, kind: str):
    """ "我想回家" / "我有问题": open a case the coordinator and liaison handle."""
    if kind not in CASE_KINDS or not services.cases_available():
        raise Http404
    from cases.forms import CaseOpenForm

    go_home = CASE_KINDS[kind]
    form = CaseOpenForm(request.POST or None)
    if go_home:
        form.fields["kind"].required = False
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            services.worker_case_open(link=link, go_home=go_home, values=values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("已收到，工作人员会尽快和您联系。办理进展会显示在本页。"))
            return redirect(_me(token))
    return render(
        request, "selfservice/case.html", {"token": token, "form": form, "go_home": go_home}
    )


# --- staff: links and travel notices ------------------------------------------------------


def _managed_worker(request, pk: int):
    return get_object_or_404(
        access.personal_link_workers_managed_by(request.user).select_related("home_county"),
        pk=pk,
    )


def _qr_svg(url: str) -> str:
    """Return the QR code of ``url`` as inline SVG markup (no data: URI: the CSP forbids it)."""
    return segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#111")


def _notice(request, worker, token: str | None) -> dict:
    url = request.build_absolute_uri(_me(token)) if token else ""
    return {
        "view": selectors.worker_overview(worker),
        "url": url,
        "qr": mark_safe(_qr_svg(url)) if url else "",  # noqa: S308 - segno's own markup
    }


@login_required
@access.require_role(*STAFF)
@never_cache
def notice(request, pk: int):
    """One worker's travel notice. GET shows it without the QR code (the token is not
    stored); POST issues a new link — the old one stops working — and shows it with it."""
    worker = _managed_worker(request, pk)
    token = None
    if request.method == "POST":
        try:
            _link, token = services.link_issue(actor=request.user, worker=worker)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("workers:detail", pk=worker.pk)
    response = render(
        request,
        "selfservice/notice.html",
        {
            "notices": [_notice(request, worker, token)],
            "worker": worker,
            "issued": token is not None,
            "link": selectors.live_link_of(worker),
            "back": reverse("workers:detail", args=[worker.pk]),
        },
    )
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@access.require_role(*STAFF)
@require_POST
def link_revoke(request, pk: int):
    """Revoke the worker's live link: their page and printed QR code stop working."""
    worker = _managed_worker(request, pk)
    try:
        link = services.link_revoke(actor=request.user, worker=worker)
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    if link is None:
        messages.info(request, _("该劳动力没有有效的个人链接。"))
    else:
        messages.success(request, _("个人链接已停用，旧的告知单二维码不能再打开。"))
    return redirect("workers:detail", pk=worker.pk)


@login_required
@access.require_role(*STAFF)
@never_cache
def trip_notices(request, pk: int):
    """The travel notices of a trip's travellers the user may print (optionally one car).
    GET lists them; POST issues each a new link and shows every notice, one per page."""
    trip = get_object_or_404(
        access.trips_visible_to(request.user).select_related("origin", "destination"), pk=pk
    )
    seats = selectors.trip_notice_seats(request.user, trip)
    car = request.POST.get("car") or request.GET.get("car") or ""
    if car:
        if not car.isdigit():
            raise Http404
        seats = seats.filter(car__car_no=int(car))
    seats = list(seats)
    workers = [seat.worker for seat in seats]
    notices, refused = [], []
    if request.method == "POST" and workers:
        eligible = [w for w in workers if selectors.worker_link_eligible(w)]
        refused = [w for w in workers if w not in eligible]
        tokens = services.links_issue_for_trip(actor=request.user, workers=eligible)
        notices = [_notice(request, w, tokens[w.pk]) for w in eligible]
    response = render(
        request,
        "selfservice/trip_notices.html",
        {
            "trip": trip,
            "car": car,
            "seats": seats,
            "notices": notices,
            "refused": refused,
            "issued": bool(notices),
            "cars": sorted({seat.car.car_no for seat in seats}) if not car else [],
        },
    )
    response["Cache-Control"] = "no-store, private"
    return response
