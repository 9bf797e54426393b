"""The pure eligibility rules (subsidies.eligibility): no database."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from subsidies import eligibility as e

ANDING, LONGXI, LANZHOU, QINGDAO_HUANGDAO, XIAN, YINCHUAN = (
    "621102",
    "621122",
    "620102",
    "370211",
    "610102",
    "640104",
)
TODAY = dt.date(2026, 12, 5)

GANSU_2024 = e.Rule(
    year=2024,
    target_groups=frozenset({"poverty_alleviated", "monitored"}),
    amounts=(
        e.AmountRow(e.NAMED_PROVINCE, 400, "61"),
        e.AmountRow(e.NAMED_PROVINCE, 400, "64"),
        e.AmountRow(e.OTHER_PROVINCE, 600),
        e.AmountRow(e.IN_PROVINCE_OTHER_CITY, 300),
        e.AmountRow(e.IN_CITY_OTHER_COUNTY, 200),
    ),
    min_consecutive_months=3,
    organised_travel_excluded=True,
)


def worker(status="poverty_alleviated", born=dt.date(1990, 5, 1)):
    return e.WorkerFacts(status, born, ANDING)


def spell(since=dt.date(2026, 6, 1), where=QINGDAO_HUANGDAO, organised=False):
    return e.SpellFacts(since, where, organised)


def keys(verdict):
    return [reason.key for reason in verdict.reasons]


def test_eligible_worker_in_another_province_gets_600():
    verdict = e.evaluate(worker(), spell(), GANSU_2024, today=TODAY)
    assert verdict.outcome == e.ELIGIBLE
    assert (verdict.zone, verdict.amount, verdict.months_continuous) == (e.OTHER_PROVINCE, 600, 6)
    assert verdict.reasons == () and verdict.eligible_on is None


def test_amount_by_destination_zone():
    cases = {
        XIAN: (e.NAMED_PROVINCE, 400),
        YINCHUAN: (e.NAMED_PROVINCE, 400),
        QINGDAO_HUANGDAO: (e.OTHER_PROVINCE, 600),
        LANZHOU: (e.IN_PROVINCE_OTHER_CITY, 300),
        LONGXI: (e.IN_CITY_OTHER_COUNTY, 200),
    }
    for where, expected in cases.items():
        verdict = e.evaluate(worker(), spell(where=where), GANSU_2024, today=TODAY)
        assert (verdict.zone, verdict.amount) == expected, where


def test_own_county_is_not_covered():
    verdict = e.evaluate(worker(), spell(where=ANDING), GANSU_2024, today=TODAY)
    assert verdict.outcome == e.NOT_ELIGIBLE
    assert verdict.reasons[0].as_pair() == ["zone_not_covered", {"zone": "own_county"}]


def test_not_yet_says_when_and_how_many_days():
    since = dt.date(2026, 10, 28)  # 3 months on 28 Jan 2027
    verdict = e.evaluate(worker(), spell(since=since), GANSU_2024, today=TODAY)
    assert verdict.outcome == e.NOT_YET
    assert verdict.eligible_on == dt.date(2027, 1, 28)
    [reason] = verdict.reasons
    assert reason.as_pair() == [
        "months_short",
        {"months": 1, "required": 3, "days": 54, "date": "2027-01-28"},
    ]


def test_partial_months_do_not_count():
    # 5 Sep -> 4 Dec is 2 whole months; on 5 Dec it is 3.
    assert (
        e.evaluate(worker(), spell(since=dt.date(2026, 9, 6)), GANSU_2024, today=TODAY).outcome
        == e.NOT_YET
    )
    assert (
        e.evaluate(worker(), spell(since=dt.date(2026, 9, 5)), GANSU_2024, today=TODAY).outcome
        == e.ELIGIBLE
    )


def test_every_failed_condition_is_listed():
    rule = e.Rule(**{**GANSU_2024.__dict__, "age_max": 30})
    verdict = e.evaluate(
        worker(status="none", born=dt.date(1970, 1, 1)),
        spell(since=dt.date(2026, 11, 1), organised=True),
        rule,
        today=TODAY,
        already_claimed=True,
    )
    assert verdict.outcome == e.NOT_ELIGIBLE  # a "not yet" reason does not hide the others
    assert keys(verdict) == [
        "target_group",
        "already_claimed",
        "organised_travel",
        "age_above",
        "months_short",
    ]


def test_not_working_and_unknown_workplace():
    verdict = e.evaluate(worker(), e.SpellFacts(None, None), GANSU_2024, today=TODAY)
    assert keys(verdict) == ["workplace_unknown", "not_working"]


def test_organised_travel_counts_only_when_the_rule_excludes_it():
    rule = e.Rule(**{**GANSU_2024.__dict__, "organised_travel_excluded": False})
    assert e.evaluate(worker(), spell(organised=True), rule, today=TODAY).outcome == e.ELIGIBLE


def test_flat_amount_for_any_destination():
    rule = e.Rule(
        year=2024, target_groups=frozenset({"monitored"}), amounts=(e.AmountRow(e.ANY, 800),)
    )
    verdict = e.evaluate(worker("monitored"), spell(where=ANDING), rule, today=TODAY)
    assert (verdict.outcome, verdict.zone, verdict.amount) == (e.ELIGIBLE, e.ANY, 800)


def test_policy_period():
    ended = e.Rule(**{**GANSU_2024.__dict__, "valid_until": dt.date(2026, 12, 31)})
    late = e.evaluate(worker(), spell(since=dt.date(2026, 11, 1)), ended, today=TODAY)
    assert keys(late) == ["period_ends", "months_short"]
    starts = e.Rule(**{**GANSU_2024.__dict__, "valid_from": dt.date(2027, 1, 1)})
    waiting = e.evaluate(worker(), spell(), starts, today=TODAY)
    assert (waiting.outcome, keys(waiting), waiting.eligible_on) == (
        e.NOT_YET,
        ["not_started"],
        dt.date(2027, 1, 1),
    )


def test_age_is_checked_on_the_day_of_eligibility():
    rule = e.Rule(**{**GANSU_2024.__dict__, "age_min": 18})
    # 18 on 1 Jan 2027, 3 months on 28 Jan 2027: eligible then, so "not yet", not "too young".
    verdict = e.evaluate(
        worker(born=dt.date(2009, 1, 1)), spell(since=dt.date(2026, 10, 28)), rule, today=TODAY
    )
    assert verdict.outcome == e.NOT_YET


def test_destination_zone_prefixes():
    assert e.destination_zone(ANDING, ANDING) == e.OWN_COUNTY
    assert e.destination_zone(ANDING, LONGXI) == e.IN_CITY_OTHER_COUNTY
    assert e.destination_zone(ANDING, LANZHOU) == e.IN_PROVINCE_OTHER_CITY
    assert e.destination_zone(ANDING, XIAN) == e.OTHER_PROVINCE


dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))


@given(since=dates, today=dates, months=st.integers(0, 24))
def test_not_yet_date_is_exactly_when_eligible(since, today, months):
    """Property: a "not yet" worker's date is the first day the rule says eligible, and the
    day before it is still "not yet"."""
    rule = e.Rule(**{**GANSU_2024.__dict__, "min_consecutive_months": months})
    verdict = e.evaluate(worker(), spell(since=since), rule, today=today)
    if since > today or e.whole_months(since, today) < months:
        assert verdict.outcome == e.NOT_YET
        day = verdict.eligible_on
        assert day > today
        assert e.evaluate(worker(), spell(since=since), rule, today=day).outcome == e.ELIGIBLE
        before = day - dt.timedelta(days=1)
        assert e.evaluate(worker(), spell(since=since), rule, today=before).outcome == e.NOT_YET
    else:
        assert verdict.outcome == e.ELIGIBLE


@given(
    status=st.sampled_from(["none", "poverty_alleviated", "monitored"]),
    organised=st.booleans(),
    claimed=st.booleans(),
    today=dates,
)
def test_outcome_matches_reasons(status, organised, claimed, today):
    """Property: eligible iff no reason; not yet iff only time-bound reasons."""
    verdict = e.evaluate(
        worker(status), spell(organised=organised), GANSU_2024, today=today, already_claimed=claimed
    )
    timed = {"months_short", "not_started"}
    if not verdict.reasons:
        assert verdict.outcome == e.ELIGIBLE
    elif all(reason.key in timed for reason in verdict.reasons):
        assert verdict.outcome == e.NOT_YET
    else:
        assert verdict.outcome == e.NOT_ELIGIBLE
