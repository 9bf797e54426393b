"""Pages of cases: the scoped list, a case with its steps and the forms that move it
along, and the intake opened from the worker page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.forms import CaseOpenForm, CaseStepForm, ReturnHomeForm
from cases.models import CaseKind, CaseStatus, OpenedVia
from laborbridge import access
from laborbridge.forms import form_errors_add

PAGE_SIZE = 50

case_staff_required = access.require_role(*access.CASE_STAFF)


@case_staff_required
def case_list(request):
    """List the cases the user sees, filtered by status, kind and overdue."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    overdue = request.GET.get("overdue") == "1"
    cases = selectors.case_list_for(
        request.user,
        status=status if status in CaseStatus.values else "",
        kind=kind if kind in CaseKind.values else "",
        overdue=overdue,
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "statuses": CaseStatus.choices,
            "kinds": CaseKind.choices,
            "status": status,
            "kind": kind,
            "overdue": overdue,
            "today": timezone.localdate(),
        },
    )


def _detail(request, case, *, step_form=None, return_form=None, status=200):
    may_handle = access.cases_handled_by(request.user).filter(pk=case.pk).exists()
    may_see_worker = access.workers_visible_to(request.user).filter(pk=case.worker_id).exists()
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "steps": selectors.case_steps(case),
            "may_handle": may_handle and case.is_open,
            "may_see_worker": may_see_worker,
            "step_form": step_form or CaseStepForm(),
            "return_form": return_form or ReturnHomeForm(),
            "may_record_return": may_handle
            and case.is_open
            and case.kind == CaseKind.GO_HOME
            and case.employment_id is not None,
            "today": timezone.localdate(),
        },
        status=status,
    )


def _visible_case(request, pk: int):
    cases = access.cases_visible_to(request.user).select_related(
        "worker", "worker__home_county", "workplace", "opened_by", "employment"
    )
    return get_object_or_404(cases, pk=pk)


@case_staff_required
def case_detail(request, pk: int):
    """Show a case, its dated steps (with staff notes) and the forms to move it along."""
    return _detail(request, _visible_case(request, pk))


@case_staff_required
@require_POST
def case_step(request, pk: int):
    """Take one step on a case (handling, note, resolved, referred)."""
    case = _visible_case(request, pk)
    form = CaseStepForm(request.POST)
    if form.is_valid():
        try:
            services.case_transition(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("已记录。"))
            return redirect("cases:detail", pk=case.pk)
    return _detail(request, case, step_form=form, status=400)


@case_staff_required
@require_POST
def case_return_home(request, pk: int):
    """Close a 想返乡 case by recording the worker's return home."""
    case = _visible_case(request, pk)
    form = ReturnHomeForm(request.POST)
    if form.is_valid():
        try:
            services.case_close_with_return(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("已记录返乡，问题已办结。"))
            return redirect("cases:detail", pk=case.pk)
    return _detail(request, case, return_form=form, status=400)


@case_staff_required
def case_open(request, worker_pk: int):
    """Open a case on the worker's behalf; the employer fields start from their current job."""
    worker = get_object_or_404(access.workers_case_openable_by(request.user), pk=worker_pk)
    defaults = services.intake_defaults(worker=worker)
    form = CaseOpenForm(
        request.POST or None,
        initial={
            "employer_name": defaults.get("employer_name", ""),
            "employer_address": defaults.get("employer_address", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(
                worker=worker,
                opened_via=OpenedVia.OFFICIAL,
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("问题已受理，已通知相关工作人员。"))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_open.html",
        {"form": form, "worker": worker, "employment": defaults.get("employment")},
    )
