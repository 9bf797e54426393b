"""URL patterns of the generic import pages, to be added to an app's ``urls.py``."""

from django.urls import path

from laborbridge.imports import mappings, views


def import_urlpatterns(
    *,
    kind: str,
    name: str = "import",
    route: str = "import/",
    list_url_name: str = "",
    list_label: str = "",
    templates: dict[str, str] | None = None,
) -> list:
    """Return the import pages of ``kind`` under ``route``, named ``name``, ``name_job`` …

    Names: ``name`` (upload page), ``name_template`` (template .xlsx), ``name_job``,
    ``name_progress`` (htmx partial), ``name_confirm``, ``name_cancel``, ``name_rejected``,
    ``name_map`` (the preview's column and word choices).
    ``list_url_name`` (e.g. ``"workers:list"``) is linked after a commit with the text
    ``list_label`` (default 查看列表); ``templates`` may replace ``{"start": …, "job": …}``.
    """
    templates = templates or {}
    base = {"kind": kind, "name": name, "list_url_name": list_url_name, "list_label": list_label}
    return [
        path(
            route, views.import_start, {**base, "template": templates.get("start", "")}, name=name
        ),
        path(f"{route}template.xlsx", views.import_template, base, name=f"{name}_template"),
        path(
            f"{route}<int:pk>/",
            views.import_job,
            {**base, "template": templates.get("job", "")},
            name=f"{name}_job",
        ),
        path(f"{route}<int:pk>/progress/", views.import_progress, base, name=f"{name}_progress"),
        path(f"{route}<int:pk>/confirm/", views.import_confirm, base, name=f"{name}_confirm"),
        path(f"{route}<int:pk>/cancel/", views.import_cancel, base, name=f"{name}_cancel"),
        path(f"{route}<int:pk>/map/", mappings.import_map, base, name=f"{name}_map"),
        path(
            f"{route}<int:pk>/rejected.xlsx", views.import_rejected, base, name=f"{name}_rejected"
        ),
    ]
