"""Pages: the coordinator's rounds (start, watch progress, statistics) and the county
official's view of their workers' matches, where the worker's answer is recorded."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from laborbridge import access
from matching import selectors, services
from matching.models import MatchStatus, RoundMode, RoundStatus
from matching.reasons import explain


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


def _coordinator_only(user) -> bool:
    return access.has_role(user, "coordinator", "admin")


@login_required
def round_list(request):
    if not _coordinator_only(request.user):
        return HttpResponseForbidden(_("只有协作专员可以管理匹配轮次。"))
    form = RoundStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.match_round_create(
                actor=request.user,
                campaign=form.cleaned_data["campaign"],
                mode=form.cleaned_data["mode"],
                seed=form.cleaned_data["seed"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("匹配轮次 #%(id)s 已开始。") % {"id": round_.pk})
            return redirect("matching:round_detail", pk=round_.pk)
    page = Paginator(selectors.rounds_visible_to(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "matching/round_list.html", {"form": form, "page": page})


@login_required
def round_detail(request, pk: int):
    if not _coordinator_only(request.user):
        return HttpResponseForbidden(_("只有协作专员可以查看匹配轮次。"))
    round_ = get_object_or_404(selectors.rounds_visible_to(request.user), pk=pk)
    context = {
        "round": round_,
        "charts": selectors.round_charts(round_),
        "live": round_.status in (RoundStatus.QUEUED, RoundStatus.RUNNING),
    }
    if request.headers.get("HX-Request"):
        response = render(request, "matching/_round_progress.html", context)
        if not context["live"]:
            response["HX-Refresh"] = "true"  # finished: reload once to show the statistics
        return response
    return render(request, "matching/round_detail.html", context)


@login_required
def county_matches(request):
    """The official's list of their workers' matches, with reasons and the answer buttons."""
    if not access.has_role(request.user, "county_official", "admin"):
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
    accept = request.POST.get("answer") == "accept"
    try:
        services.match_worker_respond(
            actor=request.user, match=match, accept=accept, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已记录 %(name)s 的答复。") % {"name": match.worker.name})
    return redirect(request.POST.get("next") or "matching:county_matches")
