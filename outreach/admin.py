"""Admin views of outreach: read-only and scoped like the pages (a coordinator sees the SMS
of their pairing's workers). The one change, a resend, is an action calling the service
(which checks, audits and queues). The text is shown with personal-link tokens cut and the
parameters (which carry the link) are not shown; the number only masked."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from laborbridge import access
from outreach import services
from outreach.models import SmsCampaign, SmsMessage, SmsOptOut


class _ReadOnly(access.ScopedAdminMixin, admin.ModelAdmin):
    """Scoped like the pages; no forms."""


@admin.register(SmsMessage)
class SmsMessageAdmin(_ReadOnly):
    scope = staticmethod(access.sms_messages_visible_to)

    list_display = [
        "scheduled_for",
        "worker",
        "phone_masked",
        "label",
        "status",
        "reason",
        "segments",
        "sent_at",
    ]
    list_filter = ["status", "reason", "key", "essential"]
    search_fields = ["worker__name", "phone_masked", "provider_id"]
    list_select_related = ["worker"]
    raw_id_fields = ["worker", "campaign", "resend_of"]
    date_hierarchy = "scheduled_for"
    fields = [
        "worker",
        "phone_masked",
        "key",
        "shown_text",
        "segments",
        "essential",
        "departure_on",
        "status",
        "reason",
        "error",
        "provider_id",
        "attempts",
        "scheduled_for",
        "claimed_at",
        "sent_at",
        "delivered_at",
        "campaign",
        "resend_of",
        "idempotency_key",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["resend_selected"]

    @admin.display(description=_("短信内容"))
    def shown_text(self, obj: SmsMessage) -> str:
        return obj.text_for_staff

    @admin.display(description=_("短信类型"))
    def label(self, obj: SmsMessage) -> str:
        return str(obj.label)

    @admin.action(description=_("重发所选短信"))
    def resend_selected(self, request, queryset):
        done, refused = 0, []
        for message in queryset.order_by("pk"):
            try:
                services.sms_resend(actor=request.user, message=message)
            except (PermissionDenied, ValidationError) as error:
                refused.append(
                    f"{message.pk}: {' '.join(getattr(error, 'messages', [str(error)]))}"
                )
            else:
                done += 1
        if done:
            self.message_user(request, _("已重发 %(n)d 条。") % {"n": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                _("未重发 %(n)d 条：%(list)s")
                % {"n": len(refused), "list": "；".join(refused[:10])},
                messages.WARNING,
            )


@admin.register(SmsCampaign)
class SmsCampaignAdmin(_ReadOnly):
    scope = staticmethod(access.sms_campaigns_visible_to)

    list_display = ["created_at", "name", "audience", "recipients", "suppressed", "segments"]
    list_select_related = ["county", "pairing", "created_by"]
    search_fields = ["name", "audience"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(_ReadOnly):
    """Numbers that replied TD, masked; not tied to a county, so the site admin's only."""

    admin_roles = access.ADMINS

    @staticmethod
    def scope(user):
        return (
            SmsOptOut.objects.all()
            if access.has_role(user, *access.ADMINS)
            else (SmsOptOut.objects.none())
        )

    list_display = ["phone_masked", "created_at"]
    search_fields = ["phone_masked"]
