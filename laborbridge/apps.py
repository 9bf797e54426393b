from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaborbridgeConfig(AppConfig):
    name = "laborbridge"
    verbose_name = _("基础数据与账户")

    def ready(self):
        from laborbridge.security import access_logs_mask

        access_logs_mask()
