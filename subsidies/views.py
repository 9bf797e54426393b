"""Pages of subsidies part 1: policies (list, detail, create/edit, .xlsx import), the
eligibility page of a policy and county (counts, reasons, filter, progress bar, 免申即享 and
one-by-one applications), evidence upload/download and the printable pledge (承诺书)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.background import RunBusy
from laborbridge.background_views import is_poll, run_progress, run_progress_response
from laborbridge.forms import form_errors_add
from laborbridge.models import Role
from subsidies import approval, importers, services
from subsidies.forms import (
    AmountFormSet,
    BudgetForm,
    EvidenceForm,
    PledgeForm,
    PolicyForm,
    PolicyImportForm,
)
from subsidies.models import (
    Application,
    ApplicationEvidence,
    EligibilityOutcome,
    EligibilityRun,
    EvidenceKind,
    TargetGroup,
)
from subsidies.reasons import reasons_text

POLICY_READERS = (Role.COUNTY_OFFICIAL, Role.TOWNSHIP_OFFICER, Role.COORDINATOR, Role.ADMIN)
POLICY_WRITERS = (Role.COORDINATOR, Role.ADMIN)
APPLICATION_MAKERS = (Role.COUNTY_OFFICIAL, Role.ADMIN)
PAGE_SIZE = 50


def _error_text(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages)


@access.require_role(*POLICY_READERS)
def policy_list(request):
    """List the policies of the user's area, newest year first."""
    policies = access.subsidy_policies_visible_to(request.user).select_related("issuing_region")
    return render(
        request,
        "subsidies/policy_list.html",
        {"policies": policies, "may_edit": access.has_role(request.user, *POLICY_WRITERS)},
    )


@access.require_role(*POLICY_READERS)
def policy_detail(request, pk: int):
    """Show a policy: conditions, amount table, evidence, budgets, counties' eligibility."""
    policy = get_object_or_404(
        access.subsidy_policies_visible_to(request.user).select_related("issuing_region"), pk=pk
    )
    counties = access.subsidy_eligibility_counties_for(request.user).order_by("code")
    may_edit = access.subsidy_policies_editable_by(request.user).filter(pk=pk).exists()
    budgets = list(policy.budgets.filter(county__in=counties).select_related("county"))
    used = approval.budgets_used(policy_id=policy.pk, county_ids=[b.county_id for b in budgets])
    for budget in budgets:
        budget.used = used.get(budget.county_id, 0)
    return render(
        request,
        "subsidies/policy_detail.html",
        {
            "policy": policy,
            "amounts": policy.amounts.select_related("province"),
            "budgets": budgets,
            "budget_form": BudgetForm(counties=counties) if may_edit else None,
            "counties": counties[:50],
            "target_labels": [
                label for value, label in TargetGroup.choices if value in policy.target_groups
            ],
            "evidence_labels": [
                label for value, label in EvidenceKind.choices if value in policy.evidence_kinds
            ],
            "may_edit": may_edit,
        },
    )


@require_POST
@access.require_role(*POLICY_WRITERS)
def policy_budget(request, pk: int):
    """Set a county's budget under the policy (coordinator of the area, admin)."""
    policy = get_object_or_404(access.subsidy_policies_editable_by(request.user), pk=pk)
    form = BudgetForm(request.POST, counties=access.subsidy_eligibility_counties_for(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("subsidies:policy", pk=pk)
    county, amount = form.cleaned_data["county"], form.cleaned_data["amount"]
    try:
        services.policy_budget_set(actor=request.user, policy=policy, county=county, amount=amount)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("已设置%(county)s的预算：%(amount)s 元。")
            % {"county": county.name, "amount": amount},
        )
    return redirect("subsidies:policy", pk=pk)


def _policy_form_page(request, policy=None):
    regions = access.subsidy_policy_regions_for(request.user).order_by("code")
    form = PolicyForm(request.POST or None, instance=policy, regions=regions)
    initial = (
        [
            {"zone": a.zone, "province": a.province_id, "amount": a.amount}
            for a in policy.amounts.all()
        ]
        if policy
        else []
    )
    amounts = AmountFormSet(request.POST or None, initial=initial, prefix="amounts")
    if request.method == "POST" and form.is_valid() and amounts.is_valid():
        values = dict(form.cleaned_data)
        rows = [
            {
                "zone": row["zone"],
                "province": row["province"].pk if row.get("province") else None,
                "amount": row["amount"],
            }
            for row in amounts.cleaned_data
            if row.get("zone")
        ]
        try:
            saved = services.policy_save(
                actor=request.user, values=values, amounts=rows, policy=policy
            )
        except ValidationError as error:
            form_errors_add(form, error, join="；")
        else:
            messages.success(request, _("补贴政策已保存。"))
            return redirect("subsidies:policy", saved.pk)
    return render(
        request,
        "subsidies/policy_form.html",
        {"form": form, "amounts": amounts, "policy": policy},
    )


@never_cache
@access.require_role(*POLICY_WRITERS)
def policy_create(request):
    """Record a new policy (coordinator of the area, admin)."""
    return _policy_form_page(request)


@never_cache
@access.require_role(*POLICY_WRITERS)
def policy_edit(request, pk: int):
    """Change a policy and its amount table."""
    policy = get_object_or_404(access.subsidy_policies_editable_by(request.user), pk=pk)
    return _policy_form_page(request, policy)


@never_cache
@access.require_role(*POLICY_WRITERS)
def policy_import(request):
    """Import policies from an .xlsx (one row a policy); every bad cell named by row and
    column, nothing saved while any row is wrong."""
    form = PolicyImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > importers.MAX_BYTES:
            errors = [_("文件超过 2 MB。")]
        else:
            try:
                saved = importers.policies_import(
                    actor=request.user, data=upload.read(), file_name=upload.name
                )
            except importers.PolicyImportError as error:
                errors = error.errors
            else:
                messages.success(request, _("已导入 %(n)s 条补贴政策。") % {"n": len(saved)})
                return redirect("subsidies:policies")
    return render(
        request,
        "subsidies/policy_import.html",
        {"form": form, "errors": errors, "columns": importers.COLUMNS},
    )


# --- eligibility -----------------------------------------------------------------------------


def _eligibility_scope(request, pk: int, county: str):
    policy = get_object_or_404(access.subsidy_policies_visible_to(request.user), pk=pk)
    county_region = get_object_or_404(
        access.subsidy_eligibility_counties_for(request.user), pk=county
    )
    return policy, county_region


def _run_progress(policy, county, run: EligibilityRun):
    return run_progress(
        run,
        dom_id="eligibility-progress",
        poll_url=reverse("subsidies:eligibility", args=[policy.pk, county.pk]),
        label=_("资格计算进度"),
        note=_("正在计算，请稍候；页面会自动更新。"),
        bar_while_live=True,
    )


@never_cache
@access.require_role(*POLICY_READERS)
def eligibility(request, pk: int, county: str):
    """Who of the county is eligible under the policy, who is not yet (and when), who is
    not (and why); recomputes at once those whose history changed since the last run."""
    policy, county_region = _eligibility_scope(request, pk, county)
    run = (
        EligibilityRun.objects.filter(policy=policy, county=county_region)
        .order_by("-created_at")
        .first()
    )
    progress = _run_progress(policy, county_region, run) if run else None
    if progress is not None and is_poll(request):
        return run_progress_response(request, progress)
    if run is not None and not progress.live:
        stale = services.eligibility_stale_workers(policy=policy, county_id=county_region.pk)
        if stale:
            services.eligibility_refresh_workers(
                policy=policy, county_id=county_region.pk, worker_ids=stale
            )
    results = access.subsidy_results_visible_to(request.user).filter(
        policy=policy, county=county_region
    )
    counts = dict(results.values_list("outcome").annotate(n=Count("id")).order_by())
    outcome = request.GET.get("outcome", "")
    shown = results.filter(outcome=outcome) if outcome in EligibilityOutcome.values else results
    shown = shown.select_related("worker", "township").order_by("outcome", "worker__name", "id")
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    applied = dict(
        Application.objects.filter(
            policy=policy, worker_id__in=[r.worker_id for r in page.object_list]
        )
        .exclude(status__in=["rejected", "withdrawn"])
        .values_list("worker_id", "status")
    )
    rows = [
        {"result": r, "reasons": reasons_text(r.reasons), "applied": r.worker_id in applied}
        for r in page.object_list
    ]
    may_apply = (
        access.subsidy_application_counties_for(request.user).filter(pk=county_region.pk).exists()
        and policy.is_active
    )
    return render(
        request,
        "subsidies/eligibility.html",
        {
            "policy": policy,
            "county": county_region,
            "run": run,
            "progress": progress,
            "counts": {o: counts.get(o, 0) for o in EligibilityOutcome.values},
            "outcomes": EligibilityOutcome.choices,
            "outcome": outcome,
            "page": page,
            "rows": rows,
            "applied_total": Application.objects.filter(policy=policy, county=county_region)
            .exclude(status__in=["rejected", "withdrawn"])
            .count(),
            "may_apply": may_apply,
            "budget": policy.budgets.filter(county=county_region).first(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@access.require_role(*POLICY_READERS)
def eligibility_run(request, pk: int, county: str):
    """Queue the computation (Celery) and go back to the page's progress bar."""
    policy, county_region = _eligibility_scope(request, pk, county)
    try:
        services.eligibility_run_create(actor=request.user, policy=policy, county=county_region)
    except RunBusy as error:
        messages.info(request, _error_text(error))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("subsidies:eligibility", policy.pk, county_region.pk)


@require_POST
@access.require_role(*APPLICATION_MAKERS)
def applications_auto(request, pk: int, county: str):
    """免申即享: create the applications of everyone eligible today (a second click: none)."""
    policy, county_region = _eligibility_scope(request, pk, county)
    try:
        made = services.applications_create_for_eligible(
            actor=request.user, policy=policy, county=county_region
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if made:
            messages.success(request, _("已为 %(n)s 人生成补贴申请。") % {"n": len(made)})
        else:
            messages.info(request, _("没有需要新生成的申请：符合条件的人都已有申请。"))
    return redirect("subsidies:eligibility", policy.pk, county_region.pk)


@require_POST
@access.require_role(*APPLICATION_MAKERS)
def application_create(request, pk: int, county: str, worker: int):
    """Create one worker's application (re-checked from the history now)."""
    policy, county_region = _eligibility_scope(request, pk, county)
    target = get_object_or_404(
        access.workers_visible_to(request.user).filter(home_county=county_region), pk=worker
    )
    try:
        application = services.application_create(actor=request.user, policy=policy, worker=target)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("subsidies:eligibility", policy.pk, county_region.pk)
    messages.success(request, _("已为 %(name)s 生成补贴申请。") % {"name": target.name})
    return redirect("subsidies:evidence", application.pk)


# --- evidence and pledge --------------------------------------------------------------------


@never_cache
@access.require_role(*POLICY_READERS)
def evidence(request, pk: int):
    """An application's evidence: the list, an upload form, the pledge (承诺书)."""
    application = get_object_or_404(
        access.subsidy_applications_visible_to(request.user).select_related(
            "policy", "worker", "workplace"
        ),
        pk=pk,
    )
    may_edit = access.subsidy_applications_editable_by(request.user).filter(pk=pk).exists()
    form = EvidenceForm(request.POST or None, request.FILES or None)
    pledge_form = PledgeForm(
        request.POST if "signed_on" in request.POST else None,
        initial={"signed_on": timezone.localdate()},
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("您无权为该申请上传材料。"))
        try:
            if "signed_on" in request.POST:
                if pledge_form.is_valid():
                    services.pledge_record(
                        actor=request.user,
                        application=application,
                        signed_on=pledge_form.cleaned_data["signed_on"],
                    )
                    messages.success(request, _("已登记承诺书。"))
                    return redirect("subsidies:evidence", pk)
            elif form.is_valid():
                upload = form.cleaned_data["file"]
                if upload.size > services.MAX_EVIDENCE_BYTES:
                    raise ValidationError({"file": _("文件超过 5 MB，请压缩后再上传。")})
                services.evidence_add(
                    actor=request.user,
                    application=application,
                    kind=form.cleaned_data["kind"],
                    file_name=upload.name,
                    data=upload.read(),
                )
                messages.success(request, _("材料已上传。"))
                return redirect("subsidies:evidence", pk)
        except ValidationError as error:
            form_errors_add(form, error, join="；")
    accepted = [
        label for value, label in EvidenceKind.choices if value in application.policy.evidence_kinds
    ]
    return render(
        request,
        "subsidies/evidence.html",
        {
            "application": application,
            "items": application.evidence.select_related("uploaded_by"),
            "form": form,
            "pledge_form": pledge_form,
            "may_edit": may_edit,
            "accepted": accepted,
        },
    )


@never_cache
@access.require_role(*POLICY_READERS)
def evidence_download(request, pk: int):
    """Download one document (audited); 404 outside the application's scope."""
    item = get_object_or_404(
        ApplicationEvidence.objects.filter(
            application__in=access.subsidy_applications_visible_to(request.user)
        ).select_related("application"),
        pk=pk,
    )
    data = services.evidence_read(actor=request.user, evidence=item)
    response = HttpResponse(data, content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="evidence-{item.pk}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@access.require_role(*POLICY_READERS)
def pledge_print(request, pk: int):
    """The printable pledge (承诺书) of one application, A4."""
    application = get_object_or_404(
        access.subsidy_applications_visible_to(request.user).select_related(
            "policy", "worker", "workplace", "county", "township"
        ),
        pk=pk,
    )
    if not application.policy.pledge_allowed:
        raise PermissionDenied(_("该政策不接受承诺书。"))
    return render(request, "subsidies/pledge.html", {"application": application})
