"""Pure parts: segments, phone numbers, the rules, the template registry."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from outreach import catalogue, rules
from outreach.phones import phone_normalise
from outreach.segments import segments_count

SH = ZoneInfo("Asia/Shanghai")


def test_segments_70_single_then_67_a_part():
    assert segments_count("") == 0
    assert segments_count("字" * 70) == 1
    assert segments_count("字" * 71) == 2
    assert segments_count("字" * 134) == 2
    assert segments_count("字" * 135) == 3


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13912345678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("0086-13912345678", "13912345678"),
    ],
)
def test_phone_normalised(raw, normal):
    assert phone_normalise(raw) == normal


@pytest.mark.parametrize("raw", ["12345", "0931-8123456", "+1 415 555 0100", "abc", "10012345678"])
def test_phone_refused_with_a_chinese_message(raw):
    with pytest.raises(ValidationError) as error:
        phone_normalise(raw)
    assert "号码" in error.value.messages[0]


def _facts(**kw):
    base = dict(
        consent=True, opted_out=False, essential=False, departure_day=False, sent_today=0, limit=5
    )
    return rules.Facts(**{**base, **kw})


def test_rules():
    day = dt.datetime(2026, 3, 1, 10, 0, tzinfo=SH)
    night = dt.datetime(2026, 3, 1, 23, 30, tzinfo=SH)
    early = dt.datetime(2026, 3, 2, 6, 0, tzinfo=SH)
    assert rules.judge(_facts(), day).send
    assert rules.judge(_facts(consent=False), day).reason == "no_consent"
    assert rules.judge(_facts(opted_out=True), day).reason == "opted_out"
    assert rules.judge(_facts(opted_out=True, essential=True), day).send
    verdict = rules.judge(_facts(), night)
    assert verdict.reason == "quiet_hours"
    assert verdict.delay_until == dt.datetime(2026, 3, 2, 8, 0, tzinfo=SH)
    assert rules.judge(_facts(), early).delay_until == dt.datetime(2026, 3, 2, 8, 0, tzinfo=SH)
    assert rules.judge(_facts(departure_day=True, essential=True), early).send
    assert rules.judge(_facts(sent_today=5), day).reason == "daily_cap"
    assert rules.judge(_facts(sent_today=5, essential=True, departure_day=True), day).send


def test_every_template_renders_and_names_its_parameters(settings):
    settings.SMS_TEMPLATE_CODES = {"offer_made": "SMS_9"}
    for template in catalogue.templates():
        text = template.render({name: "X" for name in template.params})
        assert "${" not in text and template.code
    assert catalogue.template_for("offer_made").code == "SMS_9"
    assert catalogue.template_for("departure_reminder").essential
    assert not catalogue.template_for("county_notice").essential
    with pytest.raises(ValueError):
        catalogue.template_for("offer_made").render({})
