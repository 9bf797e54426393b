from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("短信触达")

    def ready(self) -> None:
        from outreach import triggers  # noqa: F401  (connects the model-save triggers)
        from outreach.pages import registry_fill

        registry_fill()
