"""The QR-code self-signup: the public page and poster, and the official's queue."""

from __future__ import annotations

import hashlib
import io

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jobs.models import Vacancy, VacancyStatus, VerificationStatus
from laborbridge import access
from laborbridge.identifiers import normalize_text, validate_id_number, validate_mobile
from laborbridge.models import Campaign, Occupation, Region, Role
from laborbridge.security import client_address
from workers import signups
from workers.forms import CityChoiceField, SignupDecisionForm
from workers.models import SelfSignup

# A whole township may share one carrier-NAT address, so the per-address limit is generous;
# the per-ID-number limit stops one person being submitted over and over.
SIGNUPS_PER_ADDRESS = 30
SIGNUPS_PER_ID = 3
SIGNUP_WINDOW_SECONDS = 600
VACANCIES_SHOWN = 60


class SignupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    home_county = forms.ModelChoiceField(
        label=gettext_lazy("户籍县区"),
        queryset=Region.objects.none(),
        empty_label=gettext_lazy("请选择"),
    )
    home_township = forms.ModelChoiceField(
        label=gettext_lazy("乡镇"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=gettext_lazy("请选择（可不填）"),
    )
    wish_occupations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("想做的工种"),
        queryset=Occupation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wish_cities = CityChoiceField(
        label=gettext_lazy("想去的城市"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_wage = forms.IntegerField(
        label=gettext_lazy("最低月薪（元）"), min_value=0, max_value=100_000, required=False
    )
    earliest_departure = forms.DateField(
        label=gettext_lazy("最早什么时候可以出发"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    accepts_dormitory = forms.BooleanField(
        label=gettext_lazy("可以住集体宿舍"), required=False, initial=True
    )
    accepts_shift_work = forms.BooleanField(
        label=gettext_lazy("可以倒班"), required=False, initial=True
    )
    consent = forms.BooleanField(
        label=gettext_lazy("我已阅读并同意上面的个人信息使用说明"),
        error_messages={"required": gettext_lazy("请阅读并勾选同意个人信息使用说明。")},
    )
    # Left empty by people; bots fill every field.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        counties = signups.signup_counties(campaign)
        self.fields["home_county"].queryset = counties
        county = self.data.get("home_county") if self.is_bound else None
        self.fields["home_township"].queryset = (
            Region.objects.filter(parent_id=county, level=Region.Level.TOWNSHIP)
            if county
            else Region.objects.none()
        )
        self.fields["wish_cities"].queryset = signups.signup_cities(campaign)
        occupations = Vacancy.objects.filter(campaign=campaign, status=VacancyStatus.OPEN).values(
            "occupation_id"
        )
        self.fields["wish_occupations"].queryset = Occupation.objects.filter(
            pk__in=occupations
        ).order_by("code")

    def clean_name(self):
        return normalize_text(self.cleaned_data["name"])

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        return validate_mobile(self.cleaned_data["phone"])


def _campaign(code: str) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("pairing__west_region", "pairing__east_region"), code=code
    )


def _open_vacancies(campaign: Campaign):
    # Only what a job seeker needs: no employer address, phone or contact person.
    return (
        Vacancy.objects.filter(
            campaign=campaign,
            status=VacancyStatus.OPEN,
            employer__verification_status=VerificationStatus.VERIFIED,
        )
        .select_related("occupation", "district")
        .only(
            "title",
            "headcount",
            "filled_count",
            "wage_min",
            "wage_max",
            "start_date",
            "description",
            "occupation__name_zh",
            "occupation__name_en",
            "district__name",
        )
        .order_by("-wage_max", "pk")[:VACANCIES_SHOWN]
    )


def _client_key(request) -> str:
    # The real client behind the reverse proxy (LABORBRIDGE_TRUSTED_PROXIES), so that the
    # province does not share the proxy's one budget. Hashed: the cache holds no addresses.
    address = client_address(request)
    return hashlib.sha256(address.encode()).hexdigest()[:24]


def _over_limit(key: str, limit: int) -> bool:
    if cache.add(key, 1, SIGNUP_WINDOW_SECONDS):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, SIGNUP_WINDOW_SECONDS)
        return False


def signup(request, code: str):
    """The mobile page a campaign QR code opens: open vacancies and a short signup form."""
    campaign = _campaign(code)
    running = campaign.is_running
    form = SignupForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        if _over_limit(f"signup:addr:{_client_key(request)}", SIGNUPS_PER_ADDRESS):
            response = render(
                request, "workers/public/signup_limited.html", {"campaign": campaign}, status=429
            )
            response["Retry-After"] = str(SIGNUP_WINDOW_SECONDS)
            return response
        if form.is_valid():
            data = form.cleaned_data
            if data.get("website"):
                return redirect("workers_public:signup_done", code=campaign.code)
            from laborbridge import crypto

            id_key = f"signup:id:{crypto.id_number_blind_index(data['id_number'])[:24]}"
            if not _over_limit(id_key, SIGNUPS_PER_ID):
                try:
                    signups.signup_submit(
                        campaign=campaign,
                        name=data["name"],
                        id_number=data["id_number"],
                        phone=data["phone"],
                        home_county=data["home_county"],
                        home_township=data.get("home_township"),
                        wish_occupations=list(data.get("wish_occupations") or []),
                        wish_cities=list(data.get("wish_cities") or []),
                        min_wage=data.get("min_wage"),
                        earliest_departure=data.get("earliest_departure"),
                        accepts_dormitory=data.get("accepts_dormitory", False),
                        accepts_shift_work=data.get("accepts_shift_work", False),
                        consented=data["consent"],
                    )
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
            # Same answer whether the number was new, pending, registered or over its limit.
            if not form.errors:
                return redirect("workers_public:signup_done", code=campaign.code)
    return render(
        request,
        "workers/public/signup.html",
        {
            "campaign": campaign,
            "running": running,
            "form": form,
            "vacancies": _open_vacancies(campaign),
            "consent_text": signups.CONSENT_TEXT,
        },
    )


def signup_done(request, code: str):
    campaign = _campaign(code)
    return render(request, "workers/public/signup_done.html", {"campaign": campaign})


def signup_townships(request, code: str):
    """Return the township <option>s of the chosen county (htmx)."""
    campaign = _campaign(code)
    county = request.GET.get("home_county", "")
    townships = Region.objects.none()
    if signups.signup_counties(campaign).filter(pk=county).exists():
        townships = Region.objects.filter(parent_id=county, level=Region.Level.TOWNSHIP)
    return render(request, "workers/public/_township_options.html", {"townships": townships})


def _signup_url(request, campaign: Campaign) -> str:
    return request.build_absolute_uri(reverse("workers_public:signup", args=[campaign.code]))


def poster_svg(request, code: str):
    """Return a printable A4 poster (SVG) with the campaign's signup QR code."""
    campaign = _campaign(code)
    url = _signup_url(request, campaign)
    qr = segno.make(url, error="m")
    # 210 × 297 mm page in user units of 0.1 mm; the QR code is 120 mm wide.
    modules = qr.symbol_size(scale=1, border=2)[0]
    scale = 1200 / modules
    qr_svg = qr.svg_inline(scale=scale, border=2, dark="#1f2933", omitsize=False)
    qr_svg = qr_svg.replace("<svg ", '<svg x="450" y="900" ', 1)
    title = escape(campaign.name_zh)
    svg = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 2100 2970">
<rect width="2100" height="2970" fill="#ffffff"/>
<rect width="2100" height="40" fill="#b42318"/>
<text x="1050" y="330" font-size="120" font-weight="700" text-anchor="middle" fill="#b42318" font-family="'Noto Sans CJK SC','Microsoft YaHei',sans-serif">{escape(_("扫码报名 · 外出务工"))}</text>
<text x="1050" y="520" font-size="80" text-anchor="middle" fill="#1f2933" font-family="'Noto Sans CJK SC','Microsoft YaHei',sans-serif">{title}</text>
<text x="1050" y="700" font-size="60" text-anchor="middle" fill="#66788a" font-family="'Noto Sans CJK SC','Microsoft YaHei',sans-serif">{escape(_("出家门、上车门、进厂门 · 免费乘车"))}</text>
{qr_svg}
<text x="1050" y="2300" font-size="64" text-anchor="middle" fill="#1f2933" font-family="'Noto Sans CJK SC','Microsoft YaHei',sans-serif">{escape(_("用微信或手机相机扫一扫，查看岗位并留下联系方式"))}</text>
<text x="1050" y="2420" font-size="64" text-anchor="middle" fill="#1f2933" font-family="'Noto Sans CJK SC','Microsoft YaHei',sans-serif">{escape(_("县人社局工作人员会尽快与您联系"))}</text>
<text x="1050" y="2700" font-size="40" text-anchor="middle" fill="#66788a" font-family="monospace">{escape(url)}</text>
</svg>"""
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="poster-{campaign.code}.svg"'
    return response


def qr_png(request, code: str):
    """Return the bare signup QR code as a PNG (for slides, chat groups and leaflets)."""
    campaign = _campaign(code)
    buffer = io.BytesIO()
    segno.make(_signup_url(request, campaign), error="m").save(
        buffer, kind="png", scale=12, border=2
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="qr-{campaign.code}.png"'
    return response


# The official's side -------------------------------------------------------------------


def _require_official(user) -> None:
    if not access.has_role(user, Role.COUNTY_OFFICIAL, Role.ADMIN):
        raise PermissionDenied(_("您无权处理扫码报名。"))


@login_required
def pending_list(request):
    """The county's queue of QR-code signups waiting for verification."""
    _require_official(request.user)
    status = request.GET.get("status", SelfSignup.Status.PENDING)
    if status not in SelfSignup.Status.values:
        status = SelfSignup.Status.PENDING
    queue = (
        access.signups_visible_to(request.user)
        .filter(status=status)
        .select_related("campaign", "home_county", "home_township", "worker")
        .order_by("created_at" if status == SelfSignup.Status.PENDING else "-decided_at", "pk")
    )
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workers/pending_list.html",
        {"page": page, "status": status, "statuses": SelfSignup.Status.choices},
    )


@login_required
def pending_detail(request, pk: int):
    _require_official(request.user)
    signup_row = get_object_or_404(
        access.signups_visible_to(request.user).select_related(
            "campaign", "home_county", "home_township", "worker", "decided_by"
        ),
        pk=pk,
    )
    existing = signups.signup_existing_worker(signup_row)
    same_county = existing is not None and existing.home_county_id == signup_row.home_county_id
    return render(
        request,
        "workers/pending_detail.html",
        {
            "signup": signup_row,
            "existing": existing,
            "same_county": same_county,
            "occupations": Occupation.objects.filter(pk__in=signup_row.wish_occupation_ids),
            "cities": Region.objects.filter(pk__in=signup_row.wish_city_codes),
            "form": SignupDecisionForm(),
        },
    )


@login_required
@require_POST
def pending_decide(request, pk: int):
    """Register, merge or reject a signup."""
    _require_official(request.user)
    signup_row = get_object_or_404(access.signups_visible_to(request.user), pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "verify":
            worker = signups.signup_verify(actor=request.user, signup=signup_row)
            messages.success(request, _("已登记 %(name)s。") % {"name": worker.name})
            return redirect("workers:detail", pk=worker.pk)
        if decision == "merge":
            existing = signups.signup_existing_worker(signup_row)
            if existing is None:
                raise ValidationError(_("没有可合并的已有记录。"))
            worker = signups.signup_merge(actor=request.user, signup=signup_row, worker=existing)
            messages.success(request, _("已合并到 %(name)s 的记录。") % {"name": worker.name})
            return redirect("workers:detail", pk=worker.pk)
        if decision == "reject":
            signups.signup_reject(
                actor=request.user, signup=signup_row, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已驳回该报名。"))
            return redirect("workers:pending")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        raise error
    return redirect("workers:pending_detail", pk=signup_row.pk)


@login_required
def campaign_posters(request):
    """The campaigns of the official's pairings, each with its printable signup poster."""
    _require_official(request.user)
    campaigns = access.campaigns_visible_to(request.user).select_related("pairing")
    rows = [
        {
            "campaign": campaign,
            "signup_url": _signup_url(request, campaign),
            "pending": access.signups_visible_to(request.user)
            .filter(campaign=campaign, status=SelfSignup.Status.PENDING)
            .count(),
        }
        for campaign in campaigns
    ]
    return render(request, "workers/campaign_posters.html", {"rows": rows})
