"""A skill kept as a 待归类 word counts as no skill, and the match's reasons say so."""

from types import SimpleNamespace

import pytest

from matching.reasons import explain
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_reasons_say_an_unclassified_skill_counted_as_none():
    unsure = WorkerFactory(skill_unclassified="司机")
    plain = WorkerFactory()
    reasons = [{"code": "dormitory_provided", "points": 5, "side": "worker"}]
    matches = [
        SimpleNamespace(pk=1, reasons=reasons, worker=unsure),
        SimpleNamespace(pk=2, reasons=reasons, worker=plain),
    ]
    explain(matches)
    assert [line.text for line in matches[0].worker_lines] == [
        "提供宿舍",
        "技能“司机”待归类，匹配时按无技能计",
    ]
    assert [line.text for line in matches[1].worker_lines] == ["提供宿舍"]
