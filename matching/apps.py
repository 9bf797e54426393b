from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("人岗匹配")

    def ready(self) -> None:
        self.registry_fill()
        self.rolling_triggers_connect()

    def rolling_triggers_connect(self) -> None:
        """Hear of workers registered and vacancies opened (the rolling mode, matching.rolling).

        Workers and jobs sit below matching and cannot call it: a worker or vacancy saved
        sends ``post_save``, a roster import ``workers.changes.workers_registered``.
        """
        from django.db.models.signals import post_save, pre_save

        from jobs.models import Vacancy
        from workers.changes import workers_registered
        from workers.models import Worker

        post_save.connect(_worker_saved, sender=Worker, dispatch_uid="matching-rolling-worker")
        pre_save.connect(_vacancy_before, sender=Vacancy, dispatch_uid="matching-rolling-before")
        post_save.connect(_vacancy_saved, sender=Vacancy, dispatch_uid="matching-rolling-vacancy")
        workers_registered.connect(_workers_imported, dispatch_uid="matching-rolling-import")
        post_save.connect(_round_saved, sender="matching.MatchRound", dispatch_uid="rolling-round")

    def registry_fill(self) -> None:
        """Register the matching menu entries and the worker page's matches section."""
        from laborbridge import registry
        from laborbridge.models import Role
        from matching.selectors import worker_matches_section

        registry.menu_entry_register(
            roles={Role.ADMIN: 40, Role.COORDINATOR: 10},
            url_name="matching:round_list",
            label=_("匹配轮次"),
        )
        registry.menu_entry_register(
            roles={Role.COUNTY_OFFICIAL: 40},
            url_name="matching:county_matches",
            label=_("匹配与推荐"),
        )
        registry.menu_entry_register(
            roles={Role.EMPLOYER_HR: 40}, url_name="matching:candidates", label=_("候选人")
        )
        # A coordinator reviews matches in the Django admin.
        registry.menu_entry_register(
            roles={Role.COORDINATOR: 70}, url_name="admin:index", label=_("匹配审核")
        )
        registry.page_section_register(
            page="workers:detail",
            template="matching/_worker_matches.html",
            context=worker_matches_section,
        )


# A saved worker may have become matchable: registered, consenting, of the pairing's region.
WORKER_FIELDS = frozenset({"status", "consent_status", "home_county"})


def _worker_saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    if created or update_fields is None or WORKER_FIELDS & set(update_fields):
        from matching.rolling import rolling_note_workers

        rolling_note_workers([instance.pk])


def _vacancy_before(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    # One indexed read per vacancy saved, to tell an opened or raised vacancy from an edit of
    # its wording (which must not re-solve a campaign).
    instance._rolling_before = None
    if raw or instance.pk is None:
        return
    from matching.inputs import VACANCY_TERMS  # what the engine reads of a vacancy

    names = {*VACANCY_TERMS, *(f.removesuffix("_id") for f in VACANCY_TERMS)}
    if update_fields is not None and not names & set(update_fields):
        return
    instance._rolling_before = (
        type(instance).objects.filter(pk=instance.pk).values_list(*VACANCY_TERMS).first()
    )


def _vacancy_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not instance.campaign_id or instance.status != "open":
        return
    from matching.inputs import VACANCY_TERMS

    before = getattr(instance, "_rolling_before", None)
    now = tuple(getattr(instance, f) for f in VACANCY_TERMS)
    if created or (before is not None and before != now):
        from matching.rolling import rolling_note_vacancies

        rolling_note_vacancies([instance.pk])


def _workers_imported(sender, worker_ids, **kwargs) -> None:
    from matching.rolling import rolling_note_workers

    rolling_note_workers(worker_ids)


def _round_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    # A round's success (matching.rounds saves it with its status): publish the rolling
    # updates queued while it ran, once the results are committed.
    if raw or instance.status != "succeeded":
        return
    if update_fields is not None and "status" not in update_fields:
        return
    from django.db import transaction

    from matching.rolling import rolling_round_finished

    transaction.on_commit(lambda: rolling_round_finished(instance.pk), robust=True)
