"""Pages of the intermediary bonus (输转奖补): the county's agencies and team leaders with
their bonus under a policy (and as .xlsx), one intermediary's workers, each explained, its
payee number, and the approval of its bonus (then paid through a payment batch)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.spreadsheets import download
from subsidies import intermediaries as service
from subsidies.models import IntermediaryBonus, IntermediaryKind
from workers.selectors import worker_search


class IntermediaryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称或姓名"), max_length=80)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=IntermediaryKind.choices)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    id_code = forms.CharField(
        label=gettext_lazy("身份证号（带头人）或统一社会信用代码（机构）"),
        max_length=18,
        required=False,
    )


class IdCodeForm(forms.Form):
    id_code = forms.CharField(
        label=gettext_lazy("身份证号（带头人）或统一社会信用代码（机构）"), max_length=18
    )


class LinkForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("劳动力身份证号"), max_length=18)


def _readable(request):
    if not access.has_role(request.user, *access.SUBSIDY_READERS):
        raise PermissionDenied(_("您的角色无权查看输转奖补。"))
    rows = access.subsidy_intermediaries_visible_to(request.user)
    policies = service.bonus_policies_for(request.user)
    return rows, policies


def _policy(request, policies):
    chosen = request.GET.get("policy", "")
    if chosen.isdigit():
        return get_object_or_404(policies, pk=int(chosen))
    return policies.first()


def _may_manage(request) -> bool:
    return (
        access.subsidy_application_counties_for(request.user)
        .filter(pk=request.user.county_id)
        .exists()
    )


@login_required
def intermediary_list(request):
    """The county's intermediaries and, under the chosen policy, each one's bonus."""
    rows, policies = _readable(request)
    policy = _policy(request, policies)
    bonus = service.bonus_rows(rows, policy) if policy else []
    return render(
        request,
        "subsidies/intermediaries.html",
        {
            "policy": policy,
            "policies": policies,
            "bonus": bonus,
            "total": sum(r.verdict.amount for r in bonus),
            "form": IntermediaryForm(),
            "may_manage": _may_manage(request),
        },
    )


@login_required
def intermediary_export(request):
    rows, policies = _readable(request)
    policy = _policy(request, policies)
    if policy is None:
        raise PermissionDenied(_("没有可用的输转奖补政策。"))
    content = service.bonus_xlsx(service.bonus_rows(rows, policy), policy)
    return download(content, f"输转奖补_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_POST
def intermediary_create(request):
    form = IntermediaryForm(request.POST)
    county = (
        access.subsidy_application_counties_for(request.user)
        .filter(pk=request.user.county_id)
        .first()
    )
    if county is None:
        raise PermissionDenied(_("只有本县的县级工作人员可以登记输转中介。"))
    if not form.is_valid():
        messages.error(request, _("请填写名称和类型。"))
        return redirect("subsidies:intermediaries")
    try:
        intermediary = service.intermediary_create(
            actor=request.user, county=county, **form.cleaned_data
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("subsidies:intermediaries")
    return redirect("subsidies:intermediary", pk=intermediary.pk)


@login_required
def intermediary_detail(request, pk: int):
    rows, policies = _readable(request)
    intermediary = get_object_or_404(rows.select_related("county"), pk=pk)
    policy = _policy(request, policies)
    bonus = service.bonus_rows(rows.filter(pk=pk), policy, with_workers=True)[0] if policy else None
    approved = list(
        IntermediaryBonus.objects.filter(intermediary=intermediary).select_related("policy")
    )
    approved_this_year = policy is not None and any(
        b.policy_year == policy.year and b.policy_kind == policy.kind and b.status != "revoked"
        for b in approved
    )
    return render(
        request,
        "subsidies/intermediary_detail.html",
        {
            "intermediary": intermediary,
            "policy": policy,
            "policies": policies,
            "bonus": bonus,
            "referrals": intermediary.referrals.select_related("worker"),
            "form": LinkForm(),
            "id_code_form": IdCodeForm(),
            "approved": approved,
            "approved_this_year": approved_this_year,
            "may_manage": access.subsidy_intermediaries_managed_by(request.user)
            .filter(pk=pk)
            .exists(),
        },
    )


@login_required
@require_POST
def intermediary_link(request, pk: int):
    intermediary = get_object_or_404(access.subsidy_intermediaries_managed_by(request.user), pk=pk)
    form = LinkForm(request.POST)
    worker = None
    if form.is_valid():
        workers = access.workers_editable_by(request.user).filter(
            home_county_id=intermediary.county_id
        )
        worker = worker_search(workers, form.cleaned_data["id_number"]).first()
    if worker is None:
        messages.error(request, _("本县没有这个身份证号的劳动力。"))
        return redirect("subsidies:intermediary", pk=pk)
    try:
        service.intermediary_worker_link(
            actor=request.user, intermediary=intermediary, worker=worker
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已登记。"))
    return redirect("subsidies:intermediary", pk=pk)


@login_required
@require_POST
def intermediary_unlink(request, pk: int, worker: int):
    intermediary = get_object_or_404(access.subsidy_intermediaries_managed_by(request.user), pk=pk)
    try:
        service.intermediary_worker_unlink(
            actor=request.user,
            intermediary=intermediary,
            worker_id=worker,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("subsidies:intermediary", pk=pk)


@login_required
@require_POST
def intermediary_assign(request, worker: int):
    """Set who moved a worker, from the worker's page."""
    found = get_object_or_404(access.workers_editable_by(request.user), pk=worker)
    chosen = request.POST.get("intermediary", "")
    intermediary = get_object_or_404(
        access.subsidy_intermediaries_managed_by(request.user),
        pk=int(chosen) if chosen.isdigit() and len(chosen) < 10 else 0,
    )
    try:
        service.intermediary_worker_link(
            actor=request.user, intermediary=intermediary, worker=found
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已登记。"))
    return redirect("workers:detail", pk=found.pk)


@login_required
@require_POST
def intermediary_id_code(request, pk: int):
    """Record the intermediary's ID number or credit code (whom the bank pays)."""
    intermediary = get_object_or_404(access.subsidy_intermediaries_managed_by(request.user), pk=pk)
    form = IdCodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写身份证号或统一社会信用代码。"))
        service.intermediary_id_code_set(
            actor=request.user, intermediary=intermediary, code=form.cleaned_data["id_code"]
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已保存。"))
    return redirect("subsidies:intermediary", pk=pk)


@login_required
@require_POST
def intermediary_bonus_approve(request, pk: int):
    """Approve the intermediary's bonus under the chosen policy (amount frozen, budget held);
    the county's next payment batch then pays it."""
    intermediary = get_object_or_404(access.subsidy_intermediaries_managed_by(request.user), pk=pk)
    chosen = request.POST.get("policy", "")
    policy = get_object_or_404(
        service.bonus_policies_for(request.user),
        pk=int(chosen) if chosen.isdigit() and len(chosen) < 10 else 0,
    )
    try:
        bonus = service.intermediary_bonus_approve(
            actor=request.user, intermediary=intermediary, policy=policy
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _("已审批输转奖补 %(amount)s 元，将列入本县下一个发放批次。")
            % {"amount": bonus.amount_frozen},
        )
    return redirect(f"{reverse('subsidies:intermediary', args=[pk])}?policy={policy.pk}")
