"""The synthetic campaign generator: Dingxi's counties to Qingdao's districts, realistic groups."""

from __future__ import annotations

from collections import Counter

from transport.planner import GroupKind, Mode, scenario_synthetic
from transport.planner.synthetic import DINGXI_COUNTIES, QINGDAO_DISTRICTS


def test_campaign_has_the_requested_size_and_realistic_groups() -> None:
    scenario = scenario_synthetic(travellers=2000, employers=120, days=5, seed=11)

    assert len(scenario.travellers) == 2000
    assert len({t.id for t in scenario.travellers}) == 2000
    assert {p.county_code for p in scenario.pickup_points} == {c[0] for c in DINGXI_COUNTIES}
    assert {t.employer.district_code for t in scenario.travellers} <= {
        d[0] for d in QINGDAO_DISTRICTS
    }
    sizes: dict[GroupKind, Counter[int]] = {
        GroupKind.FAMILY: Counter(),
        GroupKind.VILLAGE: Counter(),
    }
    members = Counter((t.group_kind, t.group_id) for t in scenario.travellers if t.group_id)
    for (kind, _group), n in members.items():
        sizes[kind][n] += 1
    assert set(sizes[GroupKind.FAMILY]) <= {2, 3, 4} and sizes[GroupKind.FAMILY]
    assert min(sizes[GroupKind.VILLAGE]) >= 3 and max(sizes[GroupKind.VILLAGE]) <= 15
    assert {t.mode for t in scenario.trips} == set(Mode)
    assert len({t.date for t in scenario.trips}) == 5


def test_campaign_is_deterministic_for_a_seed() -> None:
    assert scenario_synthetic(travellers=300, seed=5) == scenario_synthetic(travellers=300, seed=5)
    assert scenario_synthetic(travellers=300, seed=5) != scenario_synthetic(travellers=300, seed=6)
