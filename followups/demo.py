"""Demo follow-ups: generate today's schedule for the demo's placed workers (most due to the
Qingdao liaison ``liaison_qd``, some overdue, the census to the county officials) and record
a few, so every tab of "my follow-ups" shows something. Safe to run again."""

from django.db import transaction
from django.utils import timezone

from followups import services
from followups.models import FollowUp, FollowUpKind, Problem
from laborbridge.models import User

DEMO_LIAISON = "liaison_qd"
# Follow-ups recorded by the demo (the done tab), oldest arrivals first.
_RECORDED = 2


def demo_followups_step(*, base_url: str) -> list[str]:
    """The demo step (``laborbridge.registry``): load and say what was created."""
    scheduled, census = demo_followups_load()
    return [
        f"Follow-ups: {scheduled} scheduled and {census} census created "
        f"(0 means already present today); {DEMO_LIAISON} sees them at {base_url}/followups/."
    ]


@transaction.atomic
def demo_followups_load() -> tuple[int, int]:
    """Generate the demo's follow-ups as of today and record a couple; return the counts
    created (scheduled, census) — (0, 0) the second time the same day."""
    today = timezone.localdate()
    created = services.followups_generate(as_of=today)
    liaison = User.objects.filter(username=DEMO_LIAISON).first()
    if liaison is None or FollowUp.objects.filter(done_at__isnull=False).exists():
        return created
    # Workers at least two months in, so last month's pay is after their arrival.
    candidates = (
        FollowUp.objects.filter(
            assignee=liaison,
            kind=FollowUpKind.SCHEDULED,
            done_at__isnull=True,
            employment__started_on__lt=today.replace(day=1),
        )
        .select_related("employment")
        .order_by("employment__started_on", "pk")
    )
    for index, followup in enumerate(candidates[:_RECORDED]):
        services.followup_record(
            actor=liaison,
            followup=followup,
            reached=True,
            contact_method="visit" if index == 0 else "wechat",
            still_employed=True,
            wage_last_month=5200 if index == 0 else 3100,
            housing_food="good" if index == 0 else "fair",
            problems=[] if index == 0 else [Problem.WAGE_ARREARS],
            next_action="" if index == 0 else "联系企业人事核实工资发放",
        )
    return created
