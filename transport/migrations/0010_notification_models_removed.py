"""Remove transport's Notification and NotificationRead: their rows live in the notification
outbox now (0009). Written by hand so that it can also be reversed (for the copy's test)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("transport", "0009_notifications_to_outbox"),
    ]

    operations = [
        migrations.DeleteModel(name="NotificationRead"),
        migrations.DeleteModel(name="Notification"),
    ]
