"""Audit rows keep a copy of who acted, so the record survives the account's deletion."""

from django.db import migrations, models


def snapshot_actors(apps, schema_editor):
    AuditEvent = apps.get_model("laborbridge", "AuditEvent")
    User = apps.get_model("laborbridge", "User")
    acting = AuditEvent.objects.filter(actor__isnull=False).values("actor_id").distinct()
    for user in User.objects.filter(pk__in=acting).only("username", "first_name", "last_name"):
        AuditEvent.objects.filter(actor_id=user.pk).update(
            actor_username=user.username,
            actor_name=f"{user.first_name} {user.last_name}".strip(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("laborbridge", "0003_minimum_wage"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="actor_username",
            field=models.CharField(blank=True, max_length=150, verbose_name="操作人账号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="操作人姓名"),
        ),
        # Backwards the columns simply go; nothing to undo in the rows.
        migrations.RunPython(snapshot_actors, migrations.RunPython.noop),
    ]
