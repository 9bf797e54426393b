"""The registry list's sort (home_county, name, id) as one index, so a page is a walk of it:
the first page a top-50 read instead of a sort of the county's rows, a deep page a keyset seek.
It covers every query the (home_county, name) index served, which goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workers", "0006_employment_derived_state"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(
                fields=["home_county", "name", "id"], name="workers_wor_home_co_95730c_idx"
            ),
        ),
        migrations.RemoveIndex(
            model_name="worker",
            name="workers_wor_home_co_2cabd2_idx",
        ),
    ]
