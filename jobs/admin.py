from django.contrib import admin

from jobs.models import Employer, Vacancy


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "city", "district", "industry", "verification_status"]
    list_filter = ["verification_status", "industry", "city"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["city", "district"]
    raw_id_fields = ["city", "district"]


@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "employer",
        "occupation",
        "headcount",
        "wage_min",
        "wage_max",
        "district",
        "start_date",
        "status",
    ]
    list_filter = ["status", "campaign", "occupation__group"]
    search_fields = ["title", "employer__name", "occupation__name_zh"]
    list_select_related = ["employer", "occupation", "district"]
    raw_id_fields = ["employer", "occupation", "district", "campaign"]
    date_hierarchy = "start_date"
