"""Pages: the coordinator's rounds (start, watch progress, statistics), the county
official's view of their workers' matches, where the worker's answer is recorded, and HR's
candidates (the matches offered to their vacancies), where the employer's answer is given."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jobs import selectors as jobs_selectors
from jobs.forms import CandidateDecisionForm
from jobs.selectors import AWAITING_EMPLOYER
from laborbridge import access
from laborbridge.background_views import is_poll, run_progress, run_progress_response, run_start
from laborbridge.security import safe_next
from matching import selectors, services
from matching.models import MatchStatus, RoundMode
from matching.reasons import explain, stage_label, timings_sentence, unmatched_sentences


class RoundStartForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("招聘行动"), queryset=None, empty_label=None
    )
    mode = forms.ChoiceField(label=gettext_lazy("匹配方式"), choices=RoundMode.choices)
    seed = forms.IntegerField(
        label=gettext_lazy("随机种子"),
        min_value=0,
        initial=0,
        help_text=gettext_lazy("相同输入和种子得到相同结果。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = access.campaigns_visible_to(user)


class WorkerAnswerForm(forms.Form):
    """The worker's answer as the county official records it: a decline needs its reason;
    a missing or unknown answer is an error, never taken for a decline."""

    answer = forms.ChoiceField(
        choices=[("accept", gettext_lazy("接受")), ("decline", gettext_lazy("谢绝"))],
        error_messages={
            "required": gettext_lazy("请选择求职者的答复：接受或谢绝。"),
            "invalid_choice": gettext_lazy("未知的答复，请选择接受或谢绝。"),
        },
    )
    reason = forms.CharField(required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not data.get("reason", "").strip():
            self.add_error(
                "reason",
                gettext_lazy("求职者谢绝时请填写原因（如：家中有事、工资不合适、岗位太远）。"),
            )
        return data


def _coordinator_only(user) -> bool:
    return access.is_coordinator(user)


@login_required
def round_list(request):
    if not _coordinator_only(request.user):
        return HttpResponseForbidden(_("只有协作专员可以管理匹配轮次。"))
    form = RoundStartForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        started = run_start(
            lambda: services.match_round_create(
                actor=request.user,
                campaign=form.cleaned_data["campaign"],
                mode=form.cleaned_data["mode"],
                seed=form.cleaned_data["seed"],
            )
        )
        if started.run is not None:
            messages.success(request, _("匹配轮次 #%(id)s 已开始。") % {"id": started.run.pk})
            return redirect("matching:round_detail", pk=started.run.pk)
        # A round refused for the broker was recorded and marked failed: the list shows it.
        form.add_error(None, started.error)
        status = started.status
    page = Paginator(selectors.rounds_visible_to(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "matching/round_list.html", {"form": form, "page": page}, status=status)


@login_required
def round_detail(request, pk: int):
    if not _coordinator_only(request.user):
        return HttpResponseForbidden(_("只有协作专员可以查看匹配轮次。"))
    round_ = get_object_or_404(selectors.rounds_visible_to(request.user), pk=pk)
    progress = run_progress(
        round_,
        dom_id="round-progress",
        poll_url=reverse("matching:round_detail", args=[round_.pk]),
        label=_("匹配进度"),
        stage=stage_label(round_.progress_stage) if round_.progress_stage else "—",
    )
    if is_poll(request):
        return run_progress_response(request, progress)  # finished: reload for the statistics
    context = {
        "round": round_,
        "progress": progress,
        "charts": selectors.round_charts(round_),
        "unmatched_sentences": unmatched_sentences(round_.statistics or {}),
        # how long each stage took is for whoever runs the servers, not for coordinators
        "timings": timings_sentence(round_.timings)
        if access.is_admin(request.user) and round_.timings
        else "",
        "rolling_updates": _rolling_rows(round_, admin=access.is_admin(request.user)),
    }
    return render(request, "matching/round_detail.html", context)


# The round page lists this many of its latest rolling updates (a campaign of months may have
# thousands; the admin's change list has them all).
ROLLING_ROWS = 50


def _rolling_rows(round_, *, admin: bool) -> list[dict]:
    """Return the round's latest rolling updates as rows of the round page's history."""
    rows = []
    for update in round_.rolling_updates.order_by("-created_at", "-id")[:ROLLING_ROWS]:
        took = None
        if update.finished_at is not None:
            # what a newcomer waits: from the registration's commit to the proposals written
            took = (update.finished_at - update.created_at).total_seconds()
        rows.append(
            {
                "update": update,
                "workers": len(update.worker_ids or []),
                "vacancies": len(update.vacancy_ids or []),
                "took": took,
                "timings": timings_sentence(update.timings) if admin and update.timings else "",
            }
        )
    return rows


@login_required
def county_matches(request):
    """The official's list of their workers' matches, with reasons and the answer buttons."""
    if not access.is_official(request.user):
        return HttpResponseForbidden(_("只有县级工作人员可以代求职者答复。"))
    matches = selectors.matches_for_county_page(request.user)
    status = request.GET.get("status", "")
    if status in MatchStatus.values:
        matches = matches.filter(status=status)
    page = Paginator(matches, 30).get_page(request.GET.get("page"))
    explain(page.object_list)
    return render(
        request,
        "matching/county_matches.html",
        {"page": page, "status": status, "statuses": MatchStatus.choices},
    )


@login_required
@require_POST
def worker_answer(request, pk: int):
    match = get_object_or_404(access.matches_answerable_for_worker_by(request.user), pk=pk)
    form = WorkerAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for ms in form.errors.values() for m in ms])
        services.match_worker_respond(
            actor=request.user,
            match=match,
            accept=form.cleaned_data["answer"] == "accept",
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已记录 %(name)s 的答复。") % {"name": match.worker.name})
    # Only a page of this site: a crafted next= must not send the official elsewhere.
    return redirect(
        safe_next(request, request.POST.get("next"), reverse("matching:county_matches"))
    )


# ------------------------------------------------------------------- HR's candidate pages
# Moved here from jobs (their old addresses under /jobs/ redirect): a candidate is a match.


def _querystring(request, *, drop: str) -> str:
    params = request.GET.copy()
    params.pop(drop, None)
    return params.urlencode()


@login_required
def vacancy_candidates(request, pk: int):
    """The candidates proposed to one vacancy, with their facts and why they were matched."""
    vacancy = get_object_or_404(jobs_selectors.vacancy_detail_for(request.user), pk=pk)
    candidates = list(selectors.candidates_for(request.user, vacancy=vacancy))
    explain(candidates)
    return render(
        request,
        "matching/vacancy_candidates.html",
        {
            "vacancy": vacancy,
            "candidates": candidates,
            "can_decide": access.is_hr(request.user),
        },
    )


@login_required
def candidates(request):
    """All candidates of the user's vacancies, those waiting for HR's decision first."""
    matches = selectors.candidates_for(request.user)
    waiting_only = request.GET.get("show") != "all"
    if waiting_only:
        matches = matches.filter(AWAITING_EMPLOYER)
    page = Paginator(matches, 30).get_page(request.GET.get("page"))
    explain(page.object_list)
    return render(
        request,
        "matching/candidates.html",
        {
            "page": page,
            "waiting_only": waiting_only,
            "can_decide": access.is_hr(request.user),
            "querystring": _querystring(request, drop="page"),
        },
    )


@login_required
@require_POST
def candidate_decide(request, pk: int):
    match = get_object_or_404(access.matches_visible_to(request.user), pk=pk)
    form = CandidateDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            services.match_employer_respond(
                actor=request.user, match=match, confirm=confirm, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("已确认录用该候选人。") if confirm else _("已谢绝该候选人。")
            )
    # Only a page of this site: "/\evil.example" starts with "/" yet browsers leave for it.
    default = reverse("matching:vacancy_candidates", args=[match.vacancy_id])
    return redirect(safe_next(request, request.POST.get("next"), default))
