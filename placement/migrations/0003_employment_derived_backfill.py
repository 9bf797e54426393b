"""Fill the derived fields of existing employment records from their history.

Before this, ``status`` and ``ended_on`` were typed once and went stale after a 离职 or a
返乡; the current job, the spell start and the closed months did not exist. The replay is the
pure ``placement.history`` the services use (it imports nothing from Django), so the result
is what the services would have written.
"""

from django.db import migrations
from django.utils import timezone

from placement import history

_STATUS = {history.WORKING: "employed", history.NOT_WORKING: "left", history.HOME: "home"}
_BATCH = 500


def backfill(apps, schema_editor):
    Employment = apps.get_model("workers", "Employment")
    EmploymentEvent = apps.get_model("placement", "EmploymentEvent")
    today = timezone.localdate()
    employments = Employment.objects.select_related("employer", "vacancy").order_by("pk")
    changed = []
    for employment in employments.iterator(chunk_size=_BATCH):
        arrival = history.Job(
            employment.employer_id,
            employment.employer.name,
            employment.vacancy.district_id,
            employment.vacancy.wage_min,
        )
        events = []
        for event in (
            EmploymentEvent.objects.filter(employment=employment)
            .select_related("employer")
            .order_by("occurred_on", "id")
        ):
            job = None
            if event.kind in ("job_change", "went_out") and (
                event.employer_id or event.employer_name
            ):
                name = event.employer.name if event.employer_id else event.employer_name
                job = history.Job(event.employer_id, name, event.workplace_id, event.monthly_wage)
            events.append(history.Event(event.occurred_on, event.kind, event.pk, job))
        try:
            state = history.replay(employment.started_on, arrival, events, as_of=today)
        except history.HistoryError:
            continue  # an impossible history was never written by the services
        summary = history.summarize(state)
        job = summary.job
        employment.status = _STATUS[summary.state]
        employment.ended_on = summary.ended_on
        employment.current_employer_id = job.employer if job else None
        employment.current_employer_name = job.employer_name if job else ""
        employment.current_workplace_id = job.workplace if job else None
        employment.current_monthly_wage = job.wage if job else None
        employment.working_since = summary.working_since
        employment.months_in_closed_spells = summary.months_in_closed_spells
        changed.append(employment)
        if len(changed) >= _BATCH:
            _save(Employment, changed)
            changed = []
    _save(Employment, changed)


def _save(Employment, rows):
    Employment.objects.bulk_update(
        rows,
        [
            "status",
            "ended_on",
            "current_employer",
            "current_employer_name",
            "current_workplace",
            "current_monthly_wage",
            "working_since",
            "months_in_closed_spells",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("placement", "0002_monthly_wage")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
