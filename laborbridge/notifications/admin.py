"""The outbox in the admin: read-only, since messages are written with their cause."""

from django.contrib import admin

from laborbridge.notifications.models import Message, MessageAudience, MessageDelivery


class _AudienceInline(admin.TabularInline):
    model = MessageAudience
    extra = 0
    can_delete = False
    fields = ["kind", "target"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class _DeliveryInline(admin.TabularInline):
    model = MessageDelivery
    extra = 0
    can_delete = False
    fields = ["audience", "channel", "status", "attempts", "error", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "created_at"]
    list_filter = ["key"]
    readonly_fields = ["key", "params", "cause_type", "cause_id", "created_by", "created_at"]
    exclude = ["updated_at"]
    inlines = [_AudienceInline, _DeliveryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
