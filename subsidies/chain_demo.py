"""The approval chain's part of ``manage.py demo`` (issue 14, H5).

Runs after the policies' demo step: takes Anding's 凤翔镇 applications of the Gansu 2024
transport rule along the chain through the services, as the township officer and the county
official would — a few on a running township notice (one open objection), a few through the
county notice to approval and into this month's payment batch. Nothing there: it says so.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone

from laborbridge.models import Region, User
from subsidies import approval, payments
from subsidies.models import Application, ApplicationStatus, Policy, PolicyBudget

POLICY_CODE = "gansu-2024-transport"
ANDING, FENGXIANG = "621102", "621102101"
PER_GROUP = 6
DEMO_BUDGET = 500_000  # yuan: Anding's demo budget under the rule


def demo_chain_step(*, base_url: str) -> list[str]:
    """The demo step (``laborbridge.registry``): walk some applications along the chain."""
    township = User.objects.filter(username="township_anding").first()
    official = User.objects.filter(username="official_anding").first()
    policy = _policy_ensure()
    if township is None or official is None or policy is None:
        return ["Subsidy chain: skipped (no township officer, Anding official or 2024 rule)."]
    _applications_ensure(official, policy)
    drafts_of_county = Application.objects.filter(
        policy=policy, county_id=ANDING, status=ApplicationStatus.DRAFT, township__isnull=False
    )
    busiest = (
        drafts_of_county.values("township_id")
        .annotate(n=Count("id"))
        .order_by("-n", "township_id")
        .first()
    )
    if busiest is None:
        return ["Subsidy chain: skipped (no draft applications in Anding)."]
    lines = []
    if busiest["township_id"] != township.township_id:
        # The demo's workers live in random townships: the township officer works where
        # this demo's eligible people are (凤翔镇 when it has any).
        if not drafts_of_county.filter(township_id=FENGXIANG).exists():
            township.township_id = busiest["township_id"]
            township.save(update_fields=["township"])
    drafts = list(
        drafts_of_county.filter(township_id=township.township_id)
        .order_by("pk")
        .values_list("pk", flat=True)[: 2 * PER_GROUP]
    )
    lines.append(
        f"Subsidy chain: township_anding works for {township.township.name} "
        f"({len(drafts)} draft applications there)."
    )
    today = timezone.localdate()
    half = max(1, len(drafts) // 2)
    running = drafts[:half]
    # The rest of the county's drafts go all the way (the admin stands in for the other
    # townships' officers), so the demo has an approved list and a payment batch.
    done = list(
        drafts_of_county.exclude(pk__in=running)
        .order_by("pk")
        .values_list("pk", flat=True)[: 2 * PER_GROUP]
    )
    try:
        approval.village_list_record(actor=township, application_ids=running)
        approval.township_review(actor=township, application_ids=running, note="已核对务工记录")
        notice = approval.township_notice_publish(
            actor=township, application_ids=running, starts_on=today - dt.timedelta(days=2)
        )
        approval.objection_record(
            actor=township,
            notice=notice,
            application=Application.objects.get(pk=running[0]),
            text="村民反映该人员春节后已返乡（演示）",
        )
        lines.append(f"Subsidy chain: township notice {base_url}/notice/{notice.slug}/")
        if done:
            _through_to_payment(township, official, policy, done, today)
            lines.append(
                f"Subsidy chain: {len(done)} approved and in this month's payment batch "
                f"({base_url}/subsidies/chain/payments/)."
            )
    except (ValidationError, PermissionDenied) as error:
        lines.append(
            f"Subsidy chain: stopped — {' '.join(getattr(error, 'messages', [str(error)]))}"
        )
    return lines


def _policy_ensure() -> Policy | None:
    """Return the Gansu 2024 rule with Anding's budget, loading them if the policies' demo
    step has not (reference data; the coordinator sets the budget)."""
    from subsidies import services

    if not Policy.objects.filter(code=POLICY_CODE).exists():
        services.policies_load_reference()
    policy = Policy.objects.filter(code=POLICY_CODE).first()
    coordinator = User.objects.filter(username="coordinator").first()
    if policy is not None and coordinator is not None:
        if not PolicyBudget.objects.filter(policy=policy, county_id=ANDING).exists():
            try:
                services.policy_budget_set(
                    actor=coordinator,
                    policy=policy,
                    county=Region.objects.get(pk=ANDING),
                    amount=DEMO_BUDGET,
                )
            except (ValidationError, PermissionDenied):
                pass
    return policy


def _applications_ensure(official: User, policy: Policy) -> None:
    """Create the county's applications (免申即享) when the policies' step has not."""
    if Application.objects.filter(policy=policy, county_id=ANDING).exists():
        return
    from subsidies import services

    try:
        services.applications_create_for_eligible(
            actor=official, policy=policy, county=Region.objects.get(pk=ANDING)
        )
    except (ValidationError, PermissionDenied):
        return


def _through_to_payment(township, official, policy, ids, today) -> None:
    notice_start = today - dt.timedelta(days=2 * policy.notice_days + 4)
    admin = User.objects.filter(username="admin").first()
    by_township: dict[str, list[int]] = {}
    for pk, township_id in Application.objects.filter(pk__in=ids).values_list("pk", "township_id"):
        by_township.setdefault(township_id, []).append(pk)
    for township_id, group in sorted(by_township.items()):
        actor = township if township_id == township.township_id else admin
        approval.village_list_record(actor=actor, application_ids=group)
        approval.township_review(actor=actor, application_ids=group, note="已核对务工记录")
        approval.township_notice_publish(actor=actor, application_ids=group, starts_on=notice_start)
    approval.county_verify(
        actor=official, application_ids=ids, note="县人社局电话核实本人在岗（演示）"
    )
    approval.county_notice_publish(
        actor=official,
        application_ids=ids,
        starts_on=notice_start + dt.timedelta(days=policy.notice_days + 1),
    )
    if not PolicyBudget.objects.filter(policy=policy, county_id=ANDING).exists():
        return
    approval.applications_approve(actor=official, application_ids=ids)
    payments.payment_batch_create(
        actor=official, county=Region.objects.get(pk=ANDING), month=today.replace(day=1)
    )
