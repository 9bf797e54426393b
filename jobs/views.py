"""Pages for employers and vacancies: HR's own company, coordinators' review, everyone's lists.

Each view reads through ``jobs.selectors`` / ``laborbridge.access`` (404 outside the user's
scope) and writes through ``jobs.services`` (403 when the user may see but not change).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jobs import export, selectors, services
from jobs.forms import (
    EmployerFilterForm,
    EmployerProfileForm,
    EmployerVerifyForm,
    VacancyFilterForm,
    VacancyForm,
    VacancyTransitionForm,
)
from jobs.models import Employer, Vacancy, VacancyStatus, VerificationStatus
from laborbridge import access, spreadsheets
from laborbridge.forms import form_errors_add
from laborbridge.models import Role
from laborbridge.security import safe_next

# The lifecycle buttons a page offers, in order: (target status, label, needs confirming).
_ACTIONS = [
    (VacancyStatus.OPEN, gettext_lazy("发布"), False),
    (VacancyStatus.PAUSED, gettext_lazy("暂停招聘"), False),
    (VacancyStatus.FILLED, gettext_lazy("标记为已招满"), True),
    (VacancyStatus.CLOSED, gettext_lazy("关闭岗位"), True),
]


def vacancy_actions(vacancy: Vacancy) -> list[dict]:
    """Return the lifecycle moves allowed from the vacancy's status, as button specs."""
    allowed = services.VACANCY_TRANSITIONS[vacancy.status]
    actions = []
    for status, label, confirm in _ACTIONS:
        if status in allowed:
            if status == VacancyStatus.OPEN and vacancy.status != VacancyStatus.DRAFT:
                label = gettext_lazy("重新开放")
            actions.append({"status": status, "label": label, "confirm": confirm})
    return actions


def _employer_for_writing(request) -> Employer:
    """Return the employer the user posts for: HR's own, or (admin) ``?employer=``."""
    employers = access.employers_editable_by(request.user)
    if request.user.employer_id:
        return get_object_or_404(employers, pk=request.user.employer_id)
    pk = request.GET.get("employer") or request.POST.get("employer")
    if not pk or not str(pk).isdigit():
        raise PermissionDenied(_("只有企业人事可以发布岗位。"))
    return get_object_or_404(employers, pk=pk)


def _is_hr(user) -> bool:
    return access.has_role(user, Role.EMPLOYER_HR)


# ------------------------------------------------------------------------------- HR pages


@login_required
def dashboard(request):
    """HR's dashboard: live vacancies with places filled / left, candidates waiting."""
    if not _is_hr(request.user):
        return redirect("jobs:vacancy_list")
    data = selectors.hr_dashboard_for(request.user)
    return render(request, "jobs/dashboard.html", {"data": data, "employer": request.user.employer})


def _list_page(request, template: str, form_class, rows_for, **context):
    """Render a list filtered by ``form_class`` (status and a text query) through the
    selector ``rows_for``, 50 a page; ``context`` adds to the page's context."""
    form = form_class(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = rows_for(
        request.user, status=filters.get("status", ""), query=filters.get("q", "").strip()
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {"page": page, "form": form, "querystring": _querystring(request, drop="page"), **context},
    )


@login_required
def vacancy_list(request):
    return _list_page(
        request,
        "jobs/vacancy_list.html",
        VacancyFilterForm,
        selectors.vacancy_list_for,
        can_post=bool(request.user.employer_id)
        and access.employers_editable_by(request.user).exists(),
        is_hr=_is_hr(request.user),
    )


def _querystring(request, *, drop: str) -> str:
    params = request.GET.copy()
    params.pop(drop, None)
    return params.urlencode()


@login_required
def vacancy_detail(request, pk: int):
    vacancy = get_object_or_404(selectors.vacancy_detail_for(request.user), pk=pk)
    editable = access.vacancies_editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "jobs/vacancy_detail.html",
        {
            "vacancy": vacancy,
            "editable": editable and vacancy.is_editable,
            "actions": vacancy_actions(vacancy) if editable else [],
            "candidate_count": access.matches_visible_to(request.user)
            .filter(vacancy=vacancy)
            .count()
            if editable
            else 0,
        },
    )


@login_required
def vacancy_create(request):
    employer = _employer_for_writing(request)
    vacancy = Vacancy(employer=employer)
    form = VacancyForm(request.POST or None, instance=vacancy, employer=employer)
    if request.method == "POST" and form.is_valid():
        publish = "publish" in request.POST
        try:
            vacancy = services.vacancy_create(
                actor=request.user, employer=employer, data=form.vacancy_data(), publish=publish
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            if publish:
                messages.success(request, _publish_message(employer))
            else:
                messages.success(request, _("岗位已保存为草稿。确认无误后点击“发布”。"))
            return redirect("jobs:vacancy_detail", pk=vacancy.pk)
    return render(
        request,
        "jobs/vacancy_form.html",
        {
            "form": form,
            "employer": employer,
            "vacancy": None,
            "employer_is_own": request.user.employer_id == employer.pk,
        },
    )


def _publish_message(employer: Employer) -> str:
    if employer.is_verified:
        return _("岗位已发布，求职者可在招聘行动页面看到，并参与人岗匹配。")
    return _("岗位已发布。企业通过认证后，岗位才会公开展示并参与人岗匹配。")


@login_required
def vacancy_edit(request, pk: int):
    vacancy = get_object_or_404(selectors.vacancy_detail_for(request.user), pk=pk)
    if not access.vacancies_editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("您无权修改该岗位。"))
    if not vacancy.is_editable:
        messages.error(request, _("岗位已关闭，不能再修改。"))
        return redirect("jobs:vacancy_detail", pk=pk)
    form = VacancyForm(request.POST or None, instance=vacancy, employer=vacancy.employer)
    if request.method == "POST" and form.is_valid():
        try:
            services.vacancy_update(
                actor=request.user,
                vacancy=Vacancy.objects.get(pk=vacancy.pk),
                data=form.vacancy_data(),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("岗位信息已保存。"))
            return redirect("jobs:vacancy_detail", pk=pk)
    return render(
        request,
        "jobs/vacancy_form.html",
        {"form": form, "employer": vacancy.employer, "vacancy": vacancy, "employer_is_own": True},
    )


@login_required
@require_POST
def vacancy_transition(request, pk: int):
    vacancy = get_object_or_404(access.vacancies_visible_to(request.user), pk=pk)
    form = VacancyTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未知的岗位状态。"))
    else:
        status = form.cleaned_data["status"]
        try:
            vacancy = services.vacancy_set_status(
                actor=request.user, vacancy=vacancy, status=status
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if status == VacancyStatus.OPEN:
                messages.success(request, _publish_message(vacancy.employer))
            else:
                messages.success(
                    request,
                    _("岗位状态已改为“%(status)s”。") % {"status": vacancy.get_status_display()},
                )
    # Only a page of this site: "/\evil.example" starts with "/" yet browsers leave for it.
    default = reverse("jobs:vacancy_detail", args=[pk])
    return redirect(safe_next(request, request.POST.get("next"), default))


def moved_to(pattern_name: str):
    """Return a view that sends a page's old address to its new one, query string kept.

    HR's candidate pages moved to matching (matching.views); bookmarks and old links keep
    working. 307 keeps a POST a POST (a decision form posted to the old address).
    """

    def view(request, **kwargs):
        url = reverse(pattern_name, kwargs=kwargs)
        if request.META.get("QUERY_STRING"):
            url = f"{url}?{request.META['QUERY_STRING']}"
        response = HttpResponseRedirect(url)
        response.status_code = 307
        return response

    return view


@login_required
@require_GET
def vacancy_export(request):
    """Download the vacancies the user may see (filtered like the list) as .xlsx."""
    form = VacancyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    vacancies = selectors.vacancy_list_for(
        request.user, status=filters.get("status", ""), query=filters.get("q", "").strip()
    ).prefetch_related("required_certificates")
    content = export.vacancies_workbook(user=request.user, vacancies=vacancies)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return spreadsheets.download(content, f"vacancies-{stamp}.xlsx")


# ---------------------------------------------------------------------------- employers


@login_required
def employer_profile(request):
    """HR's company profile: view and edit, with the verification status and the HR staff."""
    if not request.user.employer_id:
        if access.is_coordinator(request.user):
            return redirect("jobs:employer_list")
        raise Http404
    employer = get_object_or_404(
        access.employers_visible_to(request.user).select_related("city", "district"),
        pk=request.user.employer_id,
    )
    editable = access.employers_editable_by(request.user).filter(pk=employer.pk).exists()
    form = EmployerProfileForm(request.POST or None, instance=employer)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("您无权修改该企业信息。"))
        if form.is_valid():
            old_status = employer.verification_status
            try:
                updated = services.employer_update(
                    actor=request.user,
                    employer=Employer.objects.get(pk=employer.pk),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                if (
                    updated.verification_status == VerificationStatus.PENDING
                    and old_status != VerificationStatus.PENDING
                ):
                    messages.warning(
                        request,
                        _("企业信息已保存，已重新提交协作专员审核。审核通过前岗位不会公开展示。"),
                    )
                else:
                    messages.success(request, _("企业信息已保存。"))
                return redirect("jobs:employer_profile")
    return render(
        request,
        "jobs/employer_profile.html",
        {
            "employer": employer,
            "form": form,
            "editable": editable,
            "contacts": employer.hr_users.filter(is_active=True).order_by("username"),
        },
    )


@login_required
@require_GET
def district_options(request):
    """Return the ``<option>``s of a city's districts (htmx swaps them into the form)."""
    districts = selectors.district_choices(request.GET.get("city", "")[:12])
    return render(request, "jobs/_district_options.html", {"districts": districts})


@login_required
def employer_list(request):
    return _list_page(
        request,
        "jobs/employer_list.html",
        EmployerFilterForm,
        selectors.employer_list_for,
        can_verify=access.employers_verifiable_by(request.user).exists(),
    )


@login_required
def employer_detail(request, pk: int):
    employer = get_object_or_404(
        access.employers_visible_to(request.user).select_related("city", "district"), pk=pk
    )
    verifiable = access.employers_verifiable_by(request.user).filter(pk=pk).exists()
    vacancies = selectors.vacancy_list_for(request.user).filter(employer=employer)[:100]
    return render(
        request,
        "jobs/employer_detail.html",
        {
            "employer": employer,
            "vacancies": vacancies,
            "verifiable": verifiable,
            "verify_form": EmployerVerifyForm() if verifiable else None,
            "contacts": employer.hr_users.filter(is_active=True).order_by("username")
            if verifiable or request.user.is_admin_role
            else [],
        },
    )


@login_required
@require_POST
def employer_verify(request, pk: int):
    employer = get_object_or_404(access.employers_visible_to(request.user), pk=pk)
    form = EmployerVerifyForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == VerificationStatus.VERIFIED
        try:
            services.employer_verify(
                actor=request.user,
                employer=employer,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("已认证“%(name)s”，其招聘中的岗位现已公开展示。") % {"name": employer.name}
                if approve
                else _("已驳回“%(name)s”的认证申请。") % {"name": employer.name},
            )
            return redirect("jobs:employer_list")
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("jobs:employer_detail", pk=pk)
