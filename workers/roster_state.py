"""What the roster importer compares and writes, kept apart from its column definitions.

:func:`load_roster_states` reads the wishes, skills, certificates and consents of thousands
of stored workers in five queries; :class:`NewWorker` carries a new worker's values to the
bulk INSERT; the field lists say which columns those INSERTs and UPDATEs write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from laborbridge.models import CertificateType, LaborBrand, Occupation, Region, User
from workers.models import (
    Consent,
    ConsentStatus,
    PovertyStatus,
    TravelGroup,
    WishCity,
    WishOccupation,
    Worker,
    WorkerCertificate,
    WorkerSkill,
    WorkerSource,
    WorkerStatus,
)

# Keys per ``worker_id IN (…)`` / ``id_number_index IN (…)`` lookup (~40 ms per 2,000).
LOOKUP_BATCH = 2000


class NewWorker:
    """The values of a worker about to be inserted: a Worker's fields without the cost of
    building 10,000 model instances (~0.15 ms each)."""

    _meta = Worker._meta

    def __init__(self, *, county: str, actor: User | None):
        self.pk = None
        self.name = self.home_village_name = self.education = self.note = ""
        self.skill_unclassified = self.wishes_unclassified = ""
        self.phone_encrypted = b""
        self.phone_index = self.phone_last4 = self.phone_masked = ""
        self.home_county_id = county
        self.home_township_id = self.home_village_id = self.labor_brand_id = None
        self.travel_group_id = self.min_wage = self.earliest_departure = None
        self.poverty_status = PovertyStatus.NONE
        self.accepts_dormitory = self.accepts_shift_work = True
        self.consent_status = ConsentStatus.NONE
        self.consent_given_on = None
        self.status = WorkerStatus.REGISTERED
        self.source = WorkerSource.IMPORT
        self.registered_by_id = actor.pk if actor is not None else None
        self.created_at = self.updated_at = None


class RosterState:
    """A stored worker's wishes, skills, certificates and consents, as the importer compares
    them: loaded for thousands of workers in five queries (prefetch_related would build a
    queryset per worker and relation, ~5 s for 10,000 workers)."""

    __slots__ = (
        "certificates",
        "consents",
        "skills",
        "travel_group",
        "wish_cities",
        "wish_occupations",
    )

    def __init__(self) -> None:
        self.wish_cities: list[str] = []
        self.wish_occupations: list[int] = []
        self.skills: dict[int, WorkerSkill] = {}
        self.certificates: dict[int, WorkerCertificate] = {}
        self.consents: list[Consent] = []
        self.travel_group: str | None = None

    @property
    def first_skill(self) -> WorkerSkill | None:
        return max(self.skills.values(), key=lambda s: (s.level, s.years, -s.pk), default=None)


def load_roster_states(workers: Sequence[Worker]) -> None:
    """Attach a :class:`RosterState` as ``worker.roster`` to each worker, in five queries."""
    states = {worker.pk: RosterState() for worker in workers}
    ids = sorted(states)
    for start in range(0, len(ids), LOOKUP_BATCH):
        chunk = ids[start : start + LOOKUP_BATCH]
        for worker_id, region_id in (
            WishCity.objects.filter(worker_id__in=chunk)
            .order_by("worker_id", "rank")
            .values_list("worker_id", "region_id")
        ):
            states[worker_id].wish_cities.append(region_id)
        for worker_id, occupation_id in (
            WishOccupation.objects.filter(worker_id__in=chunk)
            .order_by("worker_id", "rank")
            .values_list("worker_id", "occupation_id")
        ):
            states[worker_id].wish_occupations.append(occupation_id)
        for skill in WorkerSkill.objects.filter(worker_id__in=chunk).order_by("pk"):
            states[skill.worker_id].skills[skill.occupation_id] = skill
        for certificate in WorkerCertificate.objects.filter(worker_id__in=chunk).order_by("pk"):
            states[certificate.worker_id].certificates[certificate.certificate_type_id] = (
                certificate
            )
        for consent in Consent.objects.filter(worker_id__in=chunk).order_by("-given_on", "-id"):
            states[consent.worker_id].consents.append(consent)
    group_ids = {w.travel_group_id for w in workers if w.travel_group_id}
    groups = dict(TravelGroup.objects.filter(pk__in=group_ids).values_list("pk", "name"))
    for worker in workers:
        state = states[worker.pk]
        state.travel_group = groups.get(worker.travel_group_id)
        worker.roster = state


class Names:
    """Names of reference rows for exports, loaded once per export."""

    def __init__(self) -> None:
        self._regions: dict[str, str] = {}
        self.occupations = dict(Occupation.objects.values_list("pk", "name_zh"))
        self.certificates = dict(CertificateType.objects.values_list("pk", "name_zh"))
        self.brands = dict(LaborBrand.objects.values_list("pk", "name_zh"))

    def region(self, code: str | None) -> str:
        if not code:
            return ""
        if code not in self._regions:
            self._regions[code] = (
                Region.objects.filter(pk=code).values_list("name", flat=True).first() or ""
            )
        return self._regions[code]

    def occupation(self, pk: int) -> str:
        return self.occupations.get(pk, "")

    def certificate(self, pk: int) -> str:
        return self.certificates.get(pk, "")

    def brand(self, pk: int | None) -> str:
        return self.brands.get(pk, "") if pk else ""


WORKER_FIELDS = [
    "name",
    "id_number_encrypted",
    "id_number_index",
    "id_number_masked",
    "birth_date",
    "sex",
    "phone_encrypted",
    "phone_index",
    "phone_last4",
    "phone_masked",
    "home_county_id",
    "home_township_id",
    "home_village_id",
    "home_village_name",
    "poverty_status",
    "education",
    "labor_brand_id",
    "skill_unclassified",
    "wishes_unclassified",
    "min_wage",
    "earliest_departure",
    "accepts_dormitory",
    "accepts_shift_work",
    "travel_group_id",
    "consent_status",
    "consent_given_on",
    "status",
    "source",
    "note",
    "registered_by_id",
    "created_at",
    "updated_at",
]
RELATED_FIELDS: dict[type, list[str]] = {
    WishCity: ["worker_id", "region_id", "rank"],
    WishOccupation: ["worker_id", "occupation_id", "rank"],
    WorkerSkill: ["worker_id", "occupation_id", "level", "years"],
    WorkerCertificate: ["worker_id", "certificate_type_id", "number", "issued_on", "expires_on"],
    Consent: [
        "worker_id",
        "given_on",
        "method",
        "scope",
        "witness",
        "text_version",
        "recorded_by_id",
        "withdrawal_reason",
        "withdrawn_on",
        "withdrawn_by_id",
        "created_at",
        "updated_at",
    ],
}

SCALAR_FIELDS = [
    "name",
    "phone_encrypted",
    "phone_index",
    "phone_last4",
    "phone_masked",
    "poverty_status",
    "education",
    "min_wage",
    "earliest_departure",
    "accepts_dormitory",
    "accepts_shift_work",
    "note",
    "skill_unclassified",
    "wishes_unclassified",
    "home_township_id",
    "home_village_id",
    "home_village_name",
    "labor_brand_id",
    "travel_group_id",
    "consent_status",
    "consent_given_on",
]


def delete_pairs(model, field: str, pairs: list[tuple[int, int]]) -> None:
    """Delete rows by (worker_id, ``field``) pairs, a batch of workers at a time."""
    by_worker: dict[int, set[int]] = {}
    for worker_id, other in pairs:
        by_worker.setdefault(worker_id, set()).add(other)
    ids = sorted(by_worker)
    for start in range(0, len(ids), LOOKUP_BATCH):
        chunk = ids[start : start + LOOKUP_BATCH]
        others = {o for w in chunk for o in by_worker[w]}
        stale = model.objects.filter(worker_id__in=chunk, **{f"{field}__in": others})
        doomed = [
            pk
            for pk, worker_id, other in stale.values_list("pk", "worker_id", field)
            if other in by_worker[worker_id]
        ]
        model.objects.filter(pk__in=doomed).delete()


def plain_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {key: [plain(old), plain(new)] for key, (old, new) in changes.items()}
