"""Admin of employers and vacancies: scoped like the pages and read-only. Verification and
lifecycle moves are admin actions that call the services, so they are checked, locked and
audited like on the pages; profiles and vacancy texts are edited on the site's pages."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from jobs import services
from jobs.models import Employer, Vacancy, VacancyStatus
from laborbridge import access


def _reason(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


@admin.register(Employer)
class EmployerAdmin(access.ScopedAdminMixin, admin.ModelAdmin):
    scope = staticmethod(access.employers_visible_to)
    list_display = ["name", "credit_code", "city", "district", "industry", "verification_status"]
    # Only the cities employers are in: all 3,209 regions as facets exceed PostgreSQL's column limit.
    list_filter = ["verification_status", "industry", ("city", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "credit_code"]
    list_select_related = ["city", "district"]
    actions = ["verify_selected"]

    @admin.action(description=_("通过认证所选企业"))
    def verify_selected(self, request, queryset):
        done = 0
        for employer in queryset.order_by("pk"):
            try:
                services.employer_verify(actor=request.user, employer=employer, approve=True)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{employer}: {_reason(error)}", messages.ERROR)
        self.message_user(request, _("已认证 %(n)d 家企业。") % {"n": done})


@admin.register(Vacancy)
class VacancyAdmin(access.ScopedAdminMixin, admin.ModelAdmin):
    scope = staticmethod(access.vacancies_visible_to)
    list_display = [
        "title",
        "employer",
        "occupation",
        "headcount",
        "filled_count",
        "wage_min",
        "wage_max",
        "district",
        "start_date",
        "status",
    ]
    list_filter = ["status", "campaign", "pay_type", "shift_pattern", "occupation__group"]
    search_fields = ["title", "employer__name", "occupation__name_zh"]
    list_select_related = ["employer", "occupation", "district"]
    date_hierarchy = "start_date"
    actions = ["publish_selected", "pause_selected", "close_selected"]

    def _move(self, request, queryset, status: str) -> None:
        done = 0
        for vacancy in queryset.order_by("pk"):
            try:
                services.vacancy_set_status(actor=request.user, vacancy=vacancy, status=status)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{vacancy}: {_reason(error)}", messages.ERROR)
        if done:
            self.message_user(request, _("已更新 %(n)d 个岗位。") % {"n": done})

    @admin.action(description=_("发布所选岗位"))
    def publish_selected(self, request, queryset):
        self._move(request, queryset, VacancyStatus.OPEN)

    @admin.action(description=_("暂停所选岗位"))
    def pause_selected(self, request, queryset):
        self._move(request, queryset, VacancyStatus.PAUSED)

    @admin.action(description=_("关闭所选岗位"))
    def close_selected(self, request, queryset):
        self._move(request, queryset, VacancyStatus.CLOSED)
