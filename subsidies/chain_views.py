"""Pages of the approval chain, notices, payment batches and the report (issue 14, H5).

Every page starts from a scoped queryset of ``laborbridge.access``; objects outside the
user's scope answer 404. The public notice page needs no login: it is reached by the
notice's unguessable slug and shows masked names only, never ID numbers.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.spreadsheets import download
from subsidies import approval, payments
from subsidies.chain_selectors import (
    notice_rows,
    report_rows,
    report_xlsx,
)
from subsidies.models import (
    ApplicationStatus,
    Notice,
    Objection,
    PaymentBatch,
    PaymentClawback,
    PaymentLineStatus,
)

PAGE_SIZE = 50
S = ApplicationStatus
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# action name → (label, service kind, who)
ACTIONS = {
    "village_list": gettext_lazy("登记村级名单"),
    "township_review": gettext_lazy("乡镇初审通过"),
    "township_notice": gettext_lazy("发布乡镇公示"),
    "county_verify": gettext_lazy("县级核实通过"),
    "county_notice": gettext_lazy("发布县级公示"),
    "approve": gettext_lazy("审批通过"),
}
TOWNSHIP_ACTIONS = ("village_list", "township_review", "township_notice")
COUNTY_ACTIONS = ("county_verify", "county_notice", "approve")


class ChainActionForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("操作"), choices=list(ACTIONS.items()))
    note = forms.CharField(
        label=gettext_lazy("说明（县级核实须填写电话核查情况）"), required=False, max_length=500
    )
    starts_on = forms.DateField(label=gettext_lazy("公示开始日"), required=False, widget=_DATE)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=500)


class ObjectionForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=gettext_lazy("异议内容"), max_length=1000)
    raised_on = forms.DateField(label=gettext_lazy("提出日期"), required=False, widget=_DATE)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("答复"), max_length=1000)
    resolved = forms.BooleanField(label=gettext_lazy("已解决"), required=False, initial=True)


class BatchForm(forms.Form):
    month = forms.DateField(label=gettext_lazy("发放月份（任一天）"), widget=_DATE)


class AccountForm(forms.Form):
    account = forms.CharField(
        label=gettext_lazy("社保卡号/银行账号"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class PaidForm(forms.Form):
    bank_reference = forms.CharField(label=gettext_lazy("银行批次号"), max_length=60)
    paid_on = forms.DateField(label=gettext_lazy("发放日期"), required=False, widget=_DATE)
    failure_reason = forms.CharField(
        label=gettext_lazy("失败原因（勾选的明细）"), required=False, max_length=200
    )


def _errors(request, error: ValidationError | PermissionDenied) -> None:
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text or _("您无权进行此操作。"))


def _done(request, call: Callable[[], object], success: str) -> bool:
    """Call the service ``call``; show ``success``, or the refusal; return whether it did."""
    try:
        call()
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
        return False
    messages.success(request, success)
    return True


def _require_reader(request) -> None:
    if not access.has_role(request.user, *access.SUBSIDY_READERS):
        raise PermissionDenied(_("您的角色无权查看补贴审批。"))


@login_required
def application_list(request):
    """The applications in the user's scope, by status, with the chain's actions."""
    _require_reader(request)
    rows = (
        access.subsidy_applications_visible_to(request.user)
        .select_related("worker", "policy", "township", "workplace")
        .order_by("status", "township_id", "pk")
    )
    status = request.GET.get("status", "")
    if status in S.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if access.has_role(request.user, *access.TOWNSHIP_OFFICERS) and not access.is_admin(
        request.user
    ):
        actions = TOWNSHIP_ACTIONS
    elif access.has_role(request.user, *access.OFFICIALS):
        actions = tuple(ACTIONS) if access.is_admin(request.user) else COUNTY_ACTIONS
    else:
        actions = ()
    form = ChainActionForm(initial={"starts_on": timezone.localdate()})
    form.fields["action"].choices = [(a, ACTIONS[a]) for a in actions]
    return render(
        request,
        "subsidies/chain/application_list.html",
        {
            "page": page,
            "status": status,
            "statuses": S.choices,
            "form": form,
            "may_act": bool(actions),
        },
    )


@login_required
@require_POST
def application_action(request):
    """Take one step of the chain for the selected applications."""
    _require_reader(request)
    form = ChainActionForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if not form.is_valid():
        messages.error(request, _("请选择操作。"))
        return redirect("subsidy_chain:applications")
    action = form.cleaned_data["action"]
    note = form.cleaned_data["note"]
    starts_on = form.cleaned_data["starts_on"]
    user = request.user
    try:
        if action == "village_list":
            count = approval.village_list_record(actor=user, application_ids=ids)
        elif action == "township_review":
            count = approval.township_review(actor=user, application_ids=ids, note=note)
        elif action in approval.NOTICE_PUBLISHERS:
            publish = approval.NOTICE_PUBLISHERS[action]
            notice = publish(actor=user, application_ids=ids, starts_on=starts_on)
            messages.success(request, _("已发布公示。"))
            return redirect("subsidy_chain:notice", pk=notice.pk)
        elif action == "county_verify":
            count = approval.county_verify(actor=user, application_ids=ids, note=note)
        else:
            count = approval.applications_approve(actor=user, application_ids=ids)
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    else:
        messages.success(
            request, _("%(action)s：%(n)s 条。") % {"action": ACTIONS[action], "n": count}
        )
    return redirect("subsidy_chain:applications")


@login_required
def application_detail(request, pk: int):
    """One application: the worker's employment spells, its steps, notices and objections."""
    _require_reader(request)
    app = get_object_or_404(
        access.subsidy_applications_visible_to(request.user).select_related(
            "worker", "policy", "township", "workplace"
        ),
        pk=pk,
    )
    labels = dict(S.choices)
    steps = list(app.steps.select_related("actor"))
    for step in steps:
        step.from_label = labels.get(step.from_status, step.from_status)
        step.to_label = labels.get(step.to_status, step.to_status)
    return render(
        request,
        "subsidies/chain/application_detail.html",
        {
            "app": app,
            "spells": app.worker.employments.select_related("employer", "current_workplace"),
            "steps": steps,
            "notices": app.notices.all(),
            "objections": app.objections.select_related("notice", "answered_by"),
            "clawbacks": PaymentClawback.objects.filter(line__application=app).select_related(
                "recorded_by", "line__batch"
            ),
            "send_back_form": ReasonForm(),
            "may_send_back": app.status in approval.SENDABLE_BACK
            and access.has_role(request.user, *access.SUBSIDY_CHAIN_STAFF),
        },
    )


@login_required
@require_POST
def application_send_back(request, pk: int):
    _require_reader(request)
    app = get_object_or_404(access.subsidy_applications_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    _done(
        request,
        lambda: approval.application_send_back(
            actor=request.user, application=app, reason=form.data.get("reason", "")
        ),
        _("已退回。"),
    )
    return redirect("subsidy_chain:application", pk=app.pk)


@login_required
def notice_list(request):
    _require_reader(request)
    notices = access.subsidy_notices_visible_to(request.user).select_related(
        "policy", "county", "township"
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "subsidies/chain/notice_list.html", {"page": page})


@login_required
def notice_detail(request, pk: int):
    """A notice as an officer sees it: the printable A4 list, objections and their answers."""
    _require_reader(request)
    notice = get_object_or_404(
        access.subsidy_notices_visible_to(request.user).select_related(
            "policy", "county", "township", "published_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "subsidies/chain/notice_detail.html",
        {
            "notice": notice,
            "rows": notice_rows(notice),
            "objections": notice.objections.select_related(
                "application__worker", "recorded_by", "answered_by"
            ),
            "objection_form": ObjectionForm(),
            "answer_form": AnswerForm(),
            "public_url": request.build_absolute_uri(f"/notice/{notice.slug}/"),
            "may_act": access.has_role(request.user, *access.SUBSIDY_CHAIN_STAFF),
        },
    )


@login_required
@require_POST
def objection_record(request, pk: int):
    _require_reader(request)
    notice = get_object_or_404(access.subsidy_notices_visible_to(request.user), pk=pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写异议内容。"))
        return redirect("subsidy_chain:notice", pk=notice.pk)
    app = get_object_or_404(notice.applications.all(), pk=form.cleaned_data["application"])
    _done(
        request,
        lambda: approval.objection_record(
            actor=request.user,
            notice=notice,
            application=app,
            text=form.cleaned_data["text"],
            raised_on=form.cleaned_data["raised_on"],
        ),
        _("已登记异议。"),
    )
    return redirect("subsidy_chain:notice", pk=notice.pk)


@login_required
@require_POST
def objection_answer(request, pk: int):
    _require_reader(request)
    objection = get_object_or_404(
        Objection.objects.filter(notice__in=access.subsidy_notices_visible_to(request.user)),
        pk=pk,
    )
    form = AnswerForm(request.POST)
    _done(
        request,
        lambda: approval.objection_answer(
            actor=request.user,
            objection=objection,
            answer=form.data.get("answer", ""),
            resolved=bool(form.data.get("resolved")),
        ),
        _("已答复异议。"),
    )
    return redirect("subsidy_chain:notice", pk=objection.notice_id)


@never_cache
def notice_public(request, slug: str):
    """The public notice (no login): masked names, no ID numbers, start and end dates."""
    notice = get_object_or_404(
        Notice.objects.select_related("policy", "county", "township"), slug=slug
    )
    response = render(
        request,
        "subsidies/chain/notice_public.html",
        {"notice": notice, "rows": notice_rows(notice)},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


# --- payment batches ------------------------------------------------------------------


@login_required
def batch_list(request):
    if not access.has_role(request.user, *access.SUBSIDY_READERS):
        raise PermissionDenied(_("您的角色无权查看补贴发放。"))
    batches = access.subsidy_payment_batches_visible_to(request.user).select_related("county")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "subsidies/chain/batch_list.html",
        {
            "page": page,
            "form": BatchForm(initial={"month": timezone.localdate()}),
            "may_create": access.has_role(request.user, *access.OFFICIALS),
        },
    )


@login_required
@require_POST
def batch_create(request):
    form = BatchForm(request.POST)
    county = access.subsidy_counties_for(request.user).filter(pk=request.user.county_id).first()
    if county is None or not form.is_valid():
        raise PermissionDenied(_("只有县级工作人员可以创建本县的发放批次。"))
    try:
        batch = payments.payment_batch_create(
            actor=request.user, county=county, month=form.cleaned_data["month"]
        )
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
        return redirect("subsidy_chain:batches")
    return redirect("subsidy_chain:batch", pk=batch.pk)


def _visible_batch(request, pk: int) -> PaymentBatch:
    return get_object_or_404(
        access.subsidy_payment_batches_visible_to(request.user).select_related("county"), pk=pk
    )


@login_required
def batch_detail(request, pk: int):
    batch = _visible_batch(request, pk)
    lines = list(
        batch.lines.select_related("worker", "application", "bonus__intermediary").order_by("id")
    )
    return render(
        request,
        "subsidies/chain/batch_detail.html",
        {
            "batch": batch,
            "lines": lines,
            "totals": payments.batch_totals(lines),
            "paid_form": PaidForm(),
            "reason_form": ReasonForm(),
            "may_manage": access.subsidy_payment_batches_managed_by(request.user)
            .filter(pk=batch.pk)
            .exists(),
            "PENDING": PaymentLineStatus.PENDING,
            "PAID": PaymentLineStatus.PAID,
        },
    )


@login_required
@require_POST
def batch_export(request, pk: int):
    """The bank's file: masked, or with full numbers when a reason is given (audited)."""
    batch = _visible_batch(request, pk)
    full = request.POST.get("full") == "1"
    try:
        content = payments.payment_batch_export(
            actor=request.user, batch=batch, full=full, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
        return redirect("subsidy_chain:batch", pk=batch.pk)
    suffix = "完整号码" if full else "脱敏"
    return download(content, f"补贴代发_{batch.county.name}_{batch.month:%Y%m}_{suffix}.xlsx")


@login_required
@require_POST
def batch_mark_paid(request, pk: int):
    batch = _visible_batch(request, pk)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写银行批次号。"))
        return redirect("subsidy_chain:batch", pk=batch.pk)
    reason = form.cleaned_data["failure_reason"] or _("银行退回")
    failed = {int(i): reason for i in request.POST.getlist("failed") if i.isdigit()}
    _done(
        request,
        lambda: payments.payment_batch_mark_paid(
            actor=request.user,
            batch=batch,
            bank_reference=form.cleaned_data["bank_reference"],
            paid_on=form.cleaned_data["paid_on"],
            failed=failed,
        ),
        _("已标记为已发放。"),
    )
    return redirect("subsidy_chain:batch", pk=batch.pk)


@login_required
def line_account(request, pk: int, line_pk: int):
    """Enter or correct a payee's social-security card or account number (encrypted; the page
    shows only the mask; audited) on a line not yet paid."""
    batch = get_object_or_404(
        access.subsidy_payment_batches_managed_by(request.user).select_related("county"), pk=pk
    )
    line = get_object_or_404(
        batch.lines.select_related("worker", "application", "bonus__intermediary"), pk=line_pk
    )
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _done(
            request,
            lambda: payments.payment_line_account_set(
                actor=request.user, line=line, account=form.cleaned_data["account"]
            ),
            _("已保存社保卡号/账号。"),
        )
        if saved:
            return redirect("subsidy_chain:batch", pk=batch.pk)
    return render(
        request,
        "subsidies/chain/line_account.html",
        {"batch": batch, "line": line, "form": form, "PENDING": PaymentLineStatus.PENDING},
    )


@login_required
@require_POST
def line_claw_back(request, pk: int, line_pk: int):
    batch = _visible_batch(request, pk)
    line = get_object_or_404(batch.lines.all(), pk=line_pk)
    amount_text = request.POST.get("amount", "").strip()
    if amount_text and not (amount_text.isdigit() and len(amount_text) <= 9):
        messages.error(request, _("追回金额应为整数（元）。"))
        return redirect("subsidy_chain:batch", pk=batch.pk)
    _done(
        request,
        lambda: payments.payment_line_claw_back(
            actor=request.user,
            line=line,
            reason=request.POST.get("reason", ""),
            amount=int(amount_text) if amount_text else None,
        ),
        _("已登记追回。"),
    )
    return redirect("subsidy_chain:batch", pk=batch.pk)


# --- report ---------------------------------------------------------------------------


def _report_counties(request):
    counties = access.subsidy_counties_for(request.user)
    if not counties.exists():
        raise PermissionDenied(_("您的角色无权查看补贴统计。"))
    return counties


@login_required
def report(request):
    """Per county and policy: eligible, applied, in notice, approved, paid, against budget."""
    rows = report_rows(_report_counties(request))
    return render(
        request,
        "subsidies/chain/report.html",
        {"rows": rows, "chart_data": {"chart-subsidy-budget": _budget_chart(rows)}},
    )


def _budget_chart(rows) -> dict:
    """Amounts approved and paid against the budget per county and policy: the same numbers
    as the table beside it, in the shape static/js/charts.js draws (a bar chart)."""
    return {
        "kind": "bar",
        "title": _("补贴金额与预算"),
        "categories": [f"{r.county.name} · {r.policy.name}" for r in rows],
        "series": [
            {"name": _("已审批金额"), "data": [r.approved_amount for r in rows]},
            {"name": _("已发放金额"), "data": [r.paid_amount for r in rows]},
            {"name": _("预算"), "data": [r.budget for r in rows]},
        ],
    }


@login_required
def report_export(request) -> HttpResponse:
    rows = report_rows(_report_counties(request))
    return download(report_xlsx(rows), f"补贴统计_{timezone.localdate():%Y%m%d}.xlsx")
