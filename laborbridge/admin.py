from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from laborbridge.models import (
    AuditEvent,
    Campaign,
    CertificateType,
    LaborBrand,
    Occupation,
    OccupationGroup,
    Pairing,
    Region,
    Station,
    User,
)
from laborbridge.notifications import admin as _notifications_admin  # noqa: F401 (registers)

admin.site.site_header = _("LaborBridge 东西部劳务协作平台")
admin.site.site_title = _("LaborBridge 管理")
admin.site.index_title = _("协作管理")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "role", "county", "employer", "pairing", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["county", "employer", "pairing"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("角色与范围"), {"fields": ["role", "county", "employer", "pairing", "phone"]}),
    ]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "full_name", "level", "latitude", "longitude"]
    list_filter = ["level"]
    search_fields = ["code", "name", "full_name"]
    raw_id_fields = ["parent"]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "east_region", "west_region", "since"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["east_region", "west_region"]


@admin.register(OccupationGroup)
class OccupationGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "group", "code_verified"]
    list_filter = ["group", "code_verified"]
    search_fields = ["code", "name_zh", "name_en"]
    filter_horizontal = ["related"]


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "issuer_kind"]
    search_fields = ["code", "name_zh", "name_en"]
    filter_horizontal = ["occupations"]


@admin.register(LaborBrand)
class LaborBrandAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "region"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["region"]
    filter_horizontal = ["occupations"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "pairing", "starts_on", "ends_on"]
    list_filter = ["pairing"]
    search_fields = ["code", "name_zh"]
    date_hierarchy = "starts_on"


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["region"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "target_type", "target_id", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor_username", "actor_name", "reason"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    # The audit log is evidence: nobody edits or deletes it from the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
