"""The demo's SMS lines (a step registered in ``OutreachConfig``): what the console backend
will send and where staff see it."""

from django.db.models import Count
from django.urls import reverse

from outreach.models import SmsMessage


def demo_sms_summary(*, base_url: str) -> list[str]:
    """Return the lines that tell what the demo queued (reminders of the confirmed plan)."""
    counts = dict(
        SmsMessage.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    if not counts:
        return []
    reminders = SmsMessage.objects.filter(key="departure_reminder").count()
    url = base_url.rstrip("/") + reverse("outreach:dashboard")
    return [
        f"SMS (console backend): {reminders} departure reminders scheduled for 09:00 two days "
        f"and one day before; by status {counts}. Outbox and bulk messages: {url}",
    ]
