from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("用工企业与岗位")

    def ready(self) -> None:
        # Registers the vacancy importer (and with it the import Celery tasks).
        from jobs import importers  # noqa: F401

        self.registry_fill()

    def registry_fill(self) -> None:
        """Register the employer and vacancy menu entries and home figures."""
        from jobs.selectors import home_figures
        from laborbridge import registry
        from laborbridge.models import Role

        registry.menu_entry_register(
            roles={Role.ADMIN: 20, Role.COORDINATOR: 30},
            url_name="jobs:vacancy_list",
            label=_("岗位"),
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 60}, url_name="jobs:vacancy_list", label=_("岗位信息")
        )
        registry.menu_entry_register(
            roles={Role.EMPLOYER_HR: 20}, url_name="jobs:vacancy_list", label=_("本企业岗位")
        )
        registry.menu_entry_register(
            roles={Role.ADMIN: 30, Role.COORDINATOR: 35},
            url_name="jobs:employer_list",
            label=_("企业"),
        )
        registry.menu_entry_register(
            roles={Role.EMPLOYER_HR: 60}, url_name="jobs:employer_profile", label=_("企业信息")
        )
        registry.home_figures_register("jobs", home_figures)
