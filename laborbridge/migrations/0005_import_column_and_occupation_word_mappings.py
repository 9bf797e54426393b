import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("laborbridge", "0004_audit_actor_snapshot"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportColumnMapping",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=50, verbose_name="导入类型")),
                ("scope", models.CharField(max_length=40, verbose_name="适用范围")),
                ("header_key", models.CharField(max_length=100, verbose_name="表头（规范化）")),
                ("header", models.CharField(max_length=200, verbose_name="表头（原文）")),
                (
                    "column_key",
                    models.CharField(blank=True, max_length=50, verbose_name="对应字段"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="设置人",
                    ),
                ),
            ],
            options={
                "verbose_name": "导入列对应关系",
                "verbose_name_plural": "导入列对应关系",
                "ordering": ["kind", "scope", "header_key"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "scope", "header_key"), name="import_column_mapping_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OccupationWordMapping",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=50, verbose_name="工种写法")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="laborbridge.region",
                        verbose_name="县区",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="设置人",
                    ),
                ),
                (
                    "occupation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="laborbridge.occupation",
                        verbose_name="对应工种",
                    ),
                ),
            ],
            options={
                "verbose_name": "工种写法对应",
                "verbose_name_plural": "工种写法对应",
                "ordering": ["county", "word"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("county", "word"), name="occupation_word_unique"
                    )
                ],
            },
        ),
    ]
