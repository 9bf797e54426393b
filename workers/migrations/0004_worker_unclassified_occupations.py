from django.db import migrations, models


class Migration(migrations.Migration):
    """Keep occupation words an import could not classify (待归类) on the worker."""

    dependencies = [
        ("workers", "0003_employment"),
    ]

    operations = [
        migrations.AddField(
            model_name="worker",
            name="skill_unclassified",
            field=models.CharField(blank=True, max_length=50, verbose_name="待归类技能工种"),
        ),
        migrations.AddField(
            model_name="worker",
            name="wishes_unclassified",
            field=models.CharField(blank=True, max_length=200, verbose_name="待归类意向工种"),
        ),
    ]
