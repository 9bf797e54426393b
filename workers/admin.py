from django.contrib import admin

from workers.models import Worker


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    """Read-mostly view of the registry; officials register through the site's services."""

    list_display = [
        "name",
        "id_number_masked",
        "sex",
        "birth_date",
        "home_county",
        "poverty_status",
        "status",
    ]
    list_filter = ["status", "poverty_status", "sex"]
    search_fields = ["name"]
    list_select_related = ["home_county"]
    raw_id_fields = ["home_county", "home_township", "home_village", "registered_by"]
    readonly_fields = ["id_number_masked", "birth_date", "sex", "created_at", "updated_at"]
    exclude = ["id_number_encrypted", "id_number_index"]

    def has_add_permission(self, request):
        # New workers need an encrypted ID number; that goes through workers.services.
        return False
