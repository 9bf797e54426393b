"""Eligibility reasons are stored as keys and rendered in the reader's language."""

from django.utils import translation

from subsidies.reasons import reasons_text

STORED = [
    ["target_group", {"status": "none"}],
    ["months_short", {"months": 1, "required": 3, "days": 23, "date": "2027-01-28"}],
    ["zone_not_covered", {"zone": "own_county"}],
]


def test_reasons_in_chinese():
    with translation.override("zh-hans"):
        texts = reasons_text(STORED)
    assert texts == [
        "帮扶身份为“其他农村劳动力”，不在补贴对象内",
        "已连续务工 1 个月，再工作 23 天（2027-01-28）满 3 个月",
        "务工地点属“县内”，本政策不予补贴",
    ]


def test_reasons_in_english():
    with translation.override("en"):
        texts = reasons_text(STORED)
    assert texts[0] == "Poverty status “Other rural workers” is not a target group"
    assert texts[1] == "1 months at work; 3 months after 23 more days (2027-01-28)"
    assert "does not pay" in texts[2]
