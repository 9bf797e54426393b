"""The demo's workers: Dingxi county rosters with skills, wishes, consent and travel groups.

Called by ``manage.py demo`` (transport's command) after the ground floor's campaigns.
"""

import datetime as dt
import random

from laborbridge.demo import _BATCH, DINGXI, QINGDAO, DemoCalendar, _id_number, _name, _phone
from laborbridge.models import CertificateType, Occupation, Region
from workers.counts import workers_changed
from workers.models import PovertyStatus, Worker, WorkerStatus


def demo_workers_load(*, seed: int, count: int, calendar: DemoCalendar) -> int:
    """Create up to ``count`` demo workers (none already present); return how many."""
    return _workers(random.Random(seed), count, calendar)


def _workers(rng: random.Random, count: int, calendar: DemoCalendar) -> int:
    counties = list(Region.objects.filter(parent_id=DINGXI, level=Region.Level.COUNTY))
    townships: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(
        level=Region.Level.TOWNSHIP, parent__parent_id=DINGXI
    ).values_list("code", "parent_id"):
        townships.setdefault(parent, []).append(code)
    workers = []
    for _index in range(count):
        county = rng.choice(counties)
        number = _id_number(rng, county.code)
        roll = rng.random()
        worker = Worker(
            name=_name(rng),
            phone=_phone(rng),
            home_county=county,
            home_township_id=rng.choice(townships[county.code])
            if townships.get(county.code)
            else None,
            poverty_status=(
                PovertyStatus.POVERTY_ALLEVIATED
                if roll < 0.55
                else PovertyStatus.MONITORED
                if roll < 0.63
                else PovertyStatus.NONE
            ),
            status=WorkerStatus.REGISTERED,
        )
        worker.set_id_number(number)
        workers.append(worker)
    existing = set(
        Worker.objects.filter(id_number_index__in=[w.id_number_index for w in workers]).values_list(
            "id_number_index", flat=True
        )
    )
    fresh = [w for w in workers if w.id_number_index not in existing]
    Worker.objects.bulk_create(fresh, batch_size=_BATCH, ignore_conflicts=True)
    _worker_profiles(rng, [w.id_number_index for w in fresh], calendar)
    workers_changed()  # bulk_create sends no post_save: the kept list counts start again
    return len(fresh)


def _worker_profiles(rng: random.Random, indexes: list[str], calendar: DemoCalendar) -> None:
    """Give new demo workers what matching needs: skills, wishes, consent, some certificates,
    and travel groups (families and fellow villagers) — drawn from the vacancies' occupations."""
    from workers.models import (
        Consent,
        ConsentMethod,
        ConsentScope,
        TravelGroup,
        WishCity,
        WishOccupation,
        WorkerCertificate,
        WorkerSkill,
    )

    if not indexes:
        return
    by_group: dict[str, list[int]] = {}
    for pk, group in Occupation.objects.filter(group__code__in=["4", "5", "6"]).values_list(
        "pk", "group__code"
    ):
        by_group.setdefault(group, []).append(pk)
    occupations = [pk for pks in by_group.values() for pk in pks]
    # The same common trades the demo vacancies concentrate on (the first third of each group).
    popular = [pk for pks in by_group.values() for pk in pks[: max(4, len(pks) // 3)]]
    certificates = list(CertificateType.objects.prefetch_related("occupations"))
    certificate_for = {o.pk: c.pk for c in certificates for o in c.occupations.all()}
    skills, wish_occupations, wish_cities, consents, held = [], [], [], [], []
    rows = list(
        Worker.objects.filter(id_number_index__in=indexes)
        .order_by("pk")
        .values_list("pk", "home_county_id", "home_township_id")
    )
    # Ready to leave a few days before the special train, as the counties' surveys ask.
    departure = calendar.train_day - dt.timedelta(days=5)
    for worker_id, _county, _township in rows:
        main = rng.choice(popular) if rng.random() < 0.7 else rng.choice(occupations)
        level = rng.choices([0, 1, 2, 3, 4], [25, 35, 25, 12, 3])[0]
        skills.append(
            WorkerSkill(
                worker_id=worker_id, occupation_id=main, level=level, years=rng.randint(0, 15)
            )
        )
        if rng.random() < 0.3:
            other = rng.choice(occupations)
            if other != main:
                skills.append(
                    WorkerSkill(
                        worker_id=worker_id,
                        occupation_id=other,
                        level=max(0, level - 1),
                        years=rng.randint(0, 5),
                    )
                )
        wish_occupations.append(WishOccupation(worker_id=worker_id, occupation_id=main, rank=1))
        wish_cities.append(WishCity(worker_id=worker_id, region_id=QINGDAO, rank=1))
        if main in certificate_for and rng.random() < 0.4:
            held.append(
                WorkerCertificate(
                    worker_id=worker_id,
                    certificate_type_id=certificate_for[main],
                    number=f"T{rng.randrange(10**9):09d}",
                    issued_on=dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(700)),
                )
            )
        if rng.random() < 0.93:
            consents.append(
                Consent(
                    worker_id=worker_id,
                    given_on=calendar.today - dt.timedelta(days=60 - rng.randrange(20)),
                    method=ConsentMethod.SIGNED_PAPER,
                    scope=list(ConsentScope.values),
                    text_version=f"{calendar.today.year}-01",
                )
            )
    WorkerSkill.objects.bulk_create(skills, batch_size=_BATCH)
    WishOccupation.objects.bulk_create(wish_occupations, batch_size=_BATCH)
    WishCity.objects.bulk_create(wish_cities, batch_size=_BATCH)
    WorkerCertificate.objects.bulk_create(held, batch_size=_BATCH, ignore_conflicts=True)
    Consent.objects.bulk_create(consents, batch_size=_BATCH)
    for consent in consents:
        Worker.objects.filter(pk=consent.worker_id).update(
            consent_status="given", consent_given_on=consent.given_on
        )
    for worker_id, _county, _township in rows:
        Worker.objects.filter(pk=worker_id).update(
            min_wage=rng.randrange(35, 60) * 100,
            # Most can leave for the special train; some only in time for the coaches.
            earliest_departure=rng.choices(
                [departure, calendar.bus_days[0] - dt.timedelta(days=3), calendar.bus_days[1]],
                [75, 15, 10],
            )[0]
            + dt.timedelta(days=rng.randrange(4)),
            education=rng.choice(["primary", "junior", "junior", "senior", "vocational"]),
        )
    # Travel groups: one worker in ten travels with family or fellow villagers of their township.
    by_township: dict[str, list[int]] = {}
    for worker_id, county, township in rows:
        by_township.setdefault(township or county, []).append(worker_id)
    for place, members in by_township.items():
        rng.shuffle(members)
        for start in range(0, len(members) // 10, 3):
            group_members = members[start : start + rng.choice([2, 3, 4])]
            if len(group_members) < 2:
                continue
            county = Worker.objects.values_list("home_county_id", flat=True).get(
                pk=group_members[0]
            )
            kind = (
                TravelGroup.Kind.FAMILY
                if len(group_members) <= 3
                else TravelGroup.Kind.FELLOW_VILLAGERS
            )
            group, _ = TravelGroup.objects.get_or_create(
                home_county_id=county,
                name=f"{place}-{start // 3 + 1}",
                defaults={"kind": kind},
            )
            Worker.objects.filter(pk__in=group_members).update(travel_group=group)
            # People who travel together look for the same kind of work.
            shared = (
                WishOccupation.objects.filter(worker_id=group_members[0])
                .values_list("occupation_id", flat=True)
                .first()
            )
            for member in group_members[1:]:
                WorkerSkill.objects.get_or_create(
                    worker_id=member, occupation_id=shared, defaults={"level": 1}
                )
                WishOccupation.objects.filter(worker_id=member).update(occupation_id=shared)
