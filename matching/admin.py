"""Review of rounds and matches in the Django admin (coordinators and admins)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from laborbridge import access
from matching import services
from matching.models import Match, MatchRound, MatchStatus
from matching.reasons import describe_all


class _CoordinatorAdminMixin:
    """Coordinators review in the admin by role, without per-model permission rows."""

    def has_module_permission(self, request):
        return access.is_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_coordinator(request.user)


@admin.register(MatchRound)
class MatchRoundAdmin(_CoordinatorAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "campaign",
        "mode",
        "status",
        "progress_percent",
        "matched",
        "fill_rate",
        "created_at",
    ]
    list_filter = ["status", "mode", "campaign"]
    readonly_fields = [
        "campaign",
        "mode",
        "seed",
        "parameters",
        "engine_version",
        "input_snapshot",
        "status",
        "failure_reason",
        "progress_stage",
        "progress_percent",
        "statistics_table",
        "timings",
        "task_id",
        "attempt",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ]
    exclude = ["statistics"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(campaign__in=access.campaigns_visible_to(request.user))
        )

    def has_add_permission(self, request):
        return False  # rounds are started from the round page, which queues the Celery task

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("匹配人数"))
    def matched(self, obj):
        return obj.statistics.get("matched", "—")

    @admin.display(description=_("岗位填充率"))
    def fill_rate(self, obj):
        rate = obj.statistics.get("fill_rate")
        return f"{rate:.1%}" if rate is not None else "—"

    @admin.display(description=_("统计"))
    def statistics_table(self, obj):
        stats = obj.statistics or {}
        rows = [(key, value) for key, value in stats.items() if not isinstance(value, dict)]
        rows += [
            (key, ", ".join(f"{k}: {v}" for k, v in value.items()))
            for key, value in stats.items()
            if isinstance(value, dict) and key != "fill_by_occupation"
        ]
        return format_html(
            "<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )

    def get_urls(self):
        return [
            path(
                "compare/",
                self.admin_site.admin_view(self.compare_view),
                name="matching_matchround_compare",
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request):
        """Compare two rounds of a campaign: who moved to another vacancy, who is new, who dropped."""
        rounds = self.get_queryset(request)
        first = rounds.filter(pk=request.GET.get("a")).first()
        second = rounds.filter(pk=request.GET.get("b")).first()
        comparison = None
        if first and second:
            before = dict(Match.objects.filter(round=first).values_list("worker_id", "vacancy_id"))
            after = dict(Match.objects.filter(round=second).values_list("worker_id", "vacancy_id"))
            moved = [w for w in before.keys() & after.keys() if before[w] != after[w]]
            comparison = {
                "same": sum(1 for w in before.keys() & after.keys() if before[w] == after[w]),
                "moved": Match.objects.filter(round=second, worker_id__in=moved).select_related(
                    "worker", "vacancy__employer"
                )[:200],
                "moved_count": len(moved),
                "only_first": Match.objects.filter(
                    round=first, worker_id__in=before.keys() - after.keys()
                ).select_related("worker", "vacancy__employer")[:200],
                "only_second": Match.objects.filter(
                    round=second, worker_id__in=after.keys() - before.keys()
                ).select_related("worker", "vacancy__employer")[:200],
                "only_first_count": len(before.keys() - after.keys()),
                "only_second_count": len(after.keys() - before.keys()),
            }
        context = {
            **self.admin_site.each_context(request),
            "title": _("比较两个匹配轮次"),
            "rounds": rounds.select_related("campaign")[:100],
            "first": first,
            "second": second,
            "comparison": comparison,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/matching/compare.html", context)


class CountyFilter(admin.SimpleListFilter):
    title = _("户籍县区")
    parameter_name = "county"

    def lookups(self, request, model_admin):
        counties = (
            model_admin.get_queryset(request)
            .values_list("worker__home_county_id", "worker__home_county__name")
            .annotate(n=Count("id"))
            .order_by("worker__home_county_id")
        )
        return [(code, name) for code, name, _n in counties]

    def queryset(self, request, queryset):
        return queryset.filter(worker__home_county_id=self.value()) if self.value() else queryset


@admin.register(Match)
class MatchAdmin(_CoordinatorAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "worker_name",
        "county",
        "employer",
        "vacancy_title",
        "status",
        "score",
        "worker_rank",
        "poverty",
    ]
    list_filter = [
        "status",
        "round",
        CountyFilter,
        ("vacancy__employer", admin.RelatedOnlyFieldListFilter),
        ("vacancy__occupation", admin.RelatedOnlyFieldListFilter),
        "worker__poverty_status",
    ]
    search_fields = ["worker__name", "vacancy__title", "vacancy__employer__name"]
    list_select_related = ["worker__home_county", "vacancy__employer"]
    readonly_fields = [
        "round",
        "worker",
        "vacancy",
        "status",
        "score",
        "worker_score",
        "vacancy_score",
        "worker_rank",
        "explanation",
        "worker_decision",
        "employer_decision",
        "decline_reason",
        "created_at",
        "updated_at",
    ]
    exclude = ["reasons"]
    actions = ["approve_selected", "reject_selected", "offer_selected"]
    list_per_page = 100

    def get_queryset(self, request):
        return access.matches_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The form is read-only; decisions go through the actions (and so through services).
        return access.is_coordinator(request.user)

    @admin.display(description=_("劳动力"), ordering="worker__name")
    def worker_name(self, obj):
        return f"{obj.worker.name}（{obj.worker.id_number_masked}）"

    @admin.display(description=_("县区"))
    def county(self, obj):
        return obj.worker.home_county.name

    @admin.display(description=_("企业"), ordering="vacancy__employer__name")
    def employer(self, obj):
        return obj.vacancy.employer.name

    @admin.display(description=_("岗位"))
    def vacancy_title(self, obj):
        return obj.vacancy.title

    @admin.display(description=_("帮扶身份"))
    def poverty(self, obj):
        return obj.worker.get_poverty_status_display()

    @admin.display(description=_("匹配理由"))
    def explanation(self, obj):
        items = describe_all(obj.reasons, hide_zero=True)  # only what counted
        worker = [
            (r["text"], f"{r.get('points', 0):+d}") for r in items if r.get("side") == "worker"
        ]
        vacancy = [
            (r["text"], f"{r.get('points', 0):+d}") for r in items if r.get("side") != "worker"
        ]
        return format_html(
            "<p><strong>{}</strong> {}</p><ul>{}</ul><p><strong>{}</strong> {}</p><ul>{}</ul>",
            _("求职者为何愿意去："),
            f"{obj.worker_score:.0f}",
            format_html_join("", "<li>{} <code>{}</code></li>", worker),
            _("岗位为何优先录用："),
            f"{obj.vacancy_score:.0f}",
            format_html_join("", "<li>{} <code>{}</code></li>", vacancy),
        )

    def _apply(self, request, queryset, label, call):
        done, refused = 0, []
        for match in queryset.order_by("pk"):
            try:
                call(match)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                refused.append(
                    f"#{match.pk}: {'; '.join(getattr(error, 'messages', [str(error)]))}"
                )
        if done:
            self.message_user(
                request, _("%(label)s：%(n)d 条。") % {"label": label, "n": done}, messages.SUCCESS
            )
        if refused:
            self.message_user(
                request,
                _("未处理 %(n)d 条：%(list)s")
                % {"n": len(refused), "list": "；".join(refused[:10])},
                messages.WARNING,
            )

    @admin.action(description=_("批准所选匹配"))
    def approve_selected(self, request, queryset):
        self._apply(
            request,
            queryset.filter(status=MatchStatus.PROPOSED),
            _("已批准"),
            lambda m: services.match_review(actor=request.user, match=m, approve=True),
        )

    @admin.action(description=_("驳回所选匹配"))
    def reject_selected(self, request, queryset):
        reason = str(_("协作专员审核驳回"))
        self._apply(
            request,
            queryset.filter(status=MatchStatus.PROPOSED),
            _("已驳回"),
            lambda m: services.match_review(
                actor=request.user, match=m, approve=False, reason=reason
            ),
        )

    @admin.action(description=_("向双方推荐所选（已批准的）匹配"))
    def offer_selected(self, request, queryset):
        self._apply(
            request,
            queryset.filter(Q(status=MatchStatus.APPROVED)),
            _("已推荐"),
            lambda m: services.match_offer(actor=request.user, match=m),
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["compare_url"] = reverse("admin:matching_matchround_compare")
        return super().changelist_view(request, extra_context)
