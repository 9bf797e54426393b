from django.contrib import admin

from laborbridge import access
from workers.models import (
    Consent,
    Employment,
    SelfSignup,
    TravelGroup,
    WishCity,
    WishOccupation,
    Worker,
    WorkerCertificate,
    WorkerSkill,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SkillInline(_ReadOnlyInline):
    model = WorkerSkill
    fields = ["occupation", "level", "years"]


class CertificateInline(_ReadOnlyInline):
    model = WorkerCertificate
    fields = ["certificate_type", "number", "issued_on", "expires_on"]


class WishCityInline(_ReadOnlyInline):
    model = WishCity
    fields = ["rank", "region"]


class WishOccupationInline(_ReadOnlyInline):
    model = WishOccupation
    fields = ["rank", "occupation"]


class ConsentInline(_ReadOnlyInline):
    model = Consent
    fields = ["given_on", "method", "scope", "witness", "withdrawn_on", "recorded_by"]


@admin.register(Worker)
class WorkerAdmin(access.ScopedAdminMixin, admin.ModelAdmin):
    """Read-only view of the registry; officials register through the site's services."""

    scope = staticmethod(access.workers_visible_to)
    admin_roles = access.REGISTRY_READERS

    list_display = [
        "name",
        "id_number_masked",
        "sex",
        "birth_date",
        "home_county",
        "poverty_status",
        "consent_status",
        "status",
    ]
    list_filter = ["status", "poverty_status", "consent_status", "source", "sex"]
    search_fields = ["name"]
    list_select_related = ["home_county"]
    raw_id_fields = [
        "home_county",
        "home_township",
        "home_village",
        "registered_by",
        "labor_brand",
        "travel_group",
    ]
    readonly_fields = [
        "id_number_masked",
        "phone_masked",
        "birth_date",
        "sex",
        "consent_status",
        "consent_given_on",
        "source",
        "created_at",
        "updated_at",
    ]
    exclude = ["id_number_encrypted", "id_number_index", "phone_encrypted", "phone_index"]
    inlines = [WishCityInline, WishOccupationInline, SkillInline, CertificateInline, ConsentInline]

    def has_add_permission(self, request):
        # New workers need an encrypted ID number; that goes through workers.services.
        return False

    def has_change_permission(self, request, obj=None):
        # Changes must be audited: they go through the registry pages or the API.
        return False


@admin.register(TravelGroup)
class TravelGroupAdmin(access.ScopedAdminMixin, admin.ModelAdmin):
    scope = staticmethod(access.travel_groups_visible_to)
    admin_roles = access.REGISTRY_READERS

    list_display = ["name", "kind", "home_county", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["home_county", "created_by"]


@admin.register(SelfSignup)
class SelfSignupAdmin(access.ScopedAdminMixin, admin.ModelAdmin):
    scope = staticmethod(access.signups_visible_to)
    admin_roles = access.OFFICIALS

    list_display = ["name", "id_number_masked", "home_county", "campaign", "status", "created_at"]
    list_filter = ["status", "campaign"]
    exclude = ["id_number_encrypted", "id_number_index", "phone_encrypted", "phone_index"]
    readonly_fields = [
        f.name
        for f in SelfSignup._meta.fields
        if f.name
        not in {"id_number_encrypted", "id_number_index", "phone_encrypted", "phone_index"}
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Employment)
class EmploymentAdmin(access.ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: employment records are opened by the gate check-in (matching.services)."""

    scope = staticmethod(access.employments_visible_to)
    admin_roles = access.ADMINS

    list_display = ["worker", "employer", "vacancy", "started_on", "status"]
    list_filter = ["status", "started_on"]
    search_fields = ["worker__name", "employer__name"]
    list_select_related = ["worker", "employer", "vacancy"]
    readonly_fields = [
        "worker",
        "employer",
        "vacancy",
        "match",
        "started_on",
        "status",
        "ended_on",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
