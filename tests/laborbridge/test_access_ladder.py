"""The role ladder every scope in laborbridge/access.py climbs (``_scoped``)."""

import datetime as dt

import pytest

from cases.models import Case, CaseKind, OpenedVia
from laborbridge.access import ITSELF, Sides, _scoped, cases_visible_to
from laborbridge.models import Region, Role
from tests.factories import ANDING, CHENGYANG, WorkerFactory, make_user

pytestmark = pytest.mark.django_db


def _counties():
    return Region.objects.filter(level=Region.Level.COUNTY)


def _codes(rows) -> set[str]:
    return set(rows.values_list("code", flat=True))


def test_admin_sees_all_and_a_role_given_no_path_sees_nothing(admin_user, official_a, hr_x):
    nobody = make_user("nobody")
    assert _scoped(_counties(), admin_user).count() == _counties().count()
    assert not _scoped(_counties(), hr_x, official=ITSELF).exists()
    assert not _scoped(_counties(), nobody, official=ITSELF).exists()
    assert not _scoped(_counties(), official_a, coordinator=Sides(west=ITSELF)).exists()


def test_each_role_reads_its_own_path(official_a, coordinator, hr_x, employer_x):
    assert _codes(_scoped(_counties(), official_a, official=ITSELF)) == {ANDING}
    west = _codes(_scoped(_counties(), coordinator, coordinator=Sides(west=ITSELF)))
    east = _codes(_scoped(_counties(), coordinator, coordinator=Sides(east=ITSELF)))
    assert ANDING in west and all(code.startswith("6211") for code in west)
    assert CHENGYANG in east and all(code.startswith("3702") for code in east)
    employers = type(employer_x).objects.all()
    assert list(_scoped(employers, hr_x, hr=ITSELF)) == [employer_x]


def test_a_liaison_is_narrowed_to_their_districts(pairing_qd_dx):
    liaison = make_user("liaison_cy", Role.LIAISON, pairing=pairing_qd_dx)
    sides = Sides(east=ITSELF)
    assert len(_codes(_scoped(_counties(), liaison, liaison=sides))) > 1  # whole eastern side
    liaison.districts.set([CHENGYANG])
    assert _codes(_scoped(_counties(), liaison, liaison=sides)) == {CHENGYANG}


def test_a_case_with_no_workplace_yet_reaches_the_coordinator_not_the_liaison(coordinator, liaison):
    case = Case.objects.create(
        worker=WorkerFactory(home_county_id=ANDING),
        kind=CaseKind.WAGE_ARREARS,
        opened_via=OpenedVia.OFFICIAL,
        deadline=dt.date(2026, 12, 20),
    )
    assert list(cases_visible_to(coordinator)) == [case]
    assert not cases_visible_to(liaison).exists()
    case.workplace_id = CHENGYANG
    case.save(update_fields=["workplace"])
    assert list(cases_visible_to(liaison)) == [case]
