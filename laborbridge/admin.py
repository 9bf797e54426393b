from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from laborbridge.models import (
    AuditEvent,
    Campaign,
    CertificateType,
    LaborBrand,
    MinimumWage,
    Occupation,
    OccupationGroup,
    Pairing,
    Region,
    Role,
    Station,
    User,
)
from laborbridge.notifications import admin as _notifications_admin  # noqa: F401 (registers)

admin.site.site_header = _("LaborBridge 东西部劳务协作平台")
admin.site.site_title = _("LaborBridge 管理")
admin.site.index_title = _("协作管理")


class UserScopeForm(UserChangeForm):
    """The user form; a liaison's districts must lie in their pairing's eastern region."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        districts = cleaned.get("districts")
        pairing = cleaned.get("pairing")
        if districts and cleaned.get("role") == Role.LIAISON and pairing is not None:
            outside = [d.name for d in districts if not pairing.east_region.contains(d.pk)]
            if outside:
                self.add_error(
                    "districts",
                    _("以下县区不在该结对的东部地区：%(names)s") % {"names": "、".join(outside)},
                )
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserScopeForm
    list_display = ["username", "first_name", "role", "county", "employer", "pairing", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["county", "township", "employer", "pairing", "districts"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            _("角色与范围"),
            {
                "fields": [
                    "role",
                    "county",
                    "township",
                    "employer",
                    "pairing",
                    "districts",
                    "phone",
                ]
            },
        ),
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


def _administrator(request) -> bool:
    """An administrator by role or as superuser (laborbridge.access.is_admin answers the
    same; the admin does not lean on the scoping module, which names the floors above)."""
    user = request.user
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


class ProvinceFilter(admin.SimpleListFilter):
    """The provinces that have minimum-wage rows (a city or county row counts for its
    province)."""

    title = _("省份")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        codes = {
            f"{code[:2]}0000" for code in MinimumWage.objects.values_list("region_id", flat=True)
        }
        return list(
            Region.objects.filter(code__in=codes).order_by("code").values_list("code", "name")
        )

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(region__code__startswith=value[:2])


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    """The legal minimum wages the vacancy checks hold wages to: administrators only.

    Like the other reference tables, changes are recorded in the admin's own history
    (django.contrib.admin LogEntry, "历史" on each row); no reference table writes AuditEvent.
    """

    list_display = [
        "province",
        "city",
        "tier",
        "monthly",
        "hourly",
        "effective_from",
        "source",
        "verified",
    ]
    list_display_links = ["province", "city"]
    list_filter = [ProvinceFilter, "verified", "effective_from"]
    search_fields = ["region__code", "region__name", "region__full_name", "tier", "source"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    ordering = ["region_id", "-effective_from"]

    @admin.display(description=_("省份"), ordering="region_id")
    def province(self, obj: MinimumWage) -> str:
        return obj.province_name or obj.region_id[:2]

    @admin.display(description=_("城市/区县"))
    def city(self, obj: MinimumWage) -> str:
        if obj.region.level == Region.Level.PROVINCE:
            return str(_("全省（未单列的地区）"))
        return obj.region.full_name or obj.region.name

    def get_queryset(self, request):
        province = Region.objects.filter(
            code=Concat(Substr(OuterRef("region_id"), 1, 2), Value("0000"))
        ).values("name")[:1]
        return super().get_queryset(request).annotate(province_name=Subquery(province))

    # The vacancy checks refuse wages by this table: only administrators see or change it,
    # whatever model permissions a staff account was given.
    def has_module_permission(self, request):
        return _administrator(request)

    def has_view_permission(self, request, obj=None):
        return _administrator(request)

    def has_add_permission(self, request):
        return _administrator(request)

    def has_change_permission(self, request, obj=None):
        return _administrator(request)

    def has_delete_permission(self, request, obj=None):
        return _administrator(request)


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
