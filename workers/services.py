"""Writes to the worker registry. Every change is audited; ID numbers stay encrypted.

Views, the API, the roster importer and the self-signup queue all come through here (the
importer's bulk path in ``workers.importers`` uses the same checks and writes the same audit
events, in bulk).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access, crypto
from laborbridge.identifiers import mask_phone, validate_id_number, validate_mobile
from laborbridge.models import CertificateType, LaborBrand, Occupation, Region, User
from laborbridge.services import audit_record, model_changes
from workers.changes import workers_registered_send
from workers.models import (
    Consent,
    ConsentMethod,
    ConsentScope,
    ConsentStatus,
    Education,
    Employment,
    PovertyStatus,
    SkillLevel,
    TravelGroup,
    WishCity,
    WishOccupation,
    Worker,
    WorkerCertificate,
    WorkerSkill,
    WorkerSource,
    WorkerStatus,
)
from workers.roster_columns import WorkerRosterExport
from workers.roster_state import load_roster_states

_EDITABLE_FIELDS = [
    "name",
    "home_county",
    "home_township",
    "home_village",
    "home_village_name",
    "poverty_status",
    "education",
    "labor_brand",
    "min_wage",
    "earliest_departure",
    "accepts_dormitory",
    "accepts_shift_work",
    "travel_group",
    "note",
]
_LIST_FIELDS = ["wish_cities", "wish_occupations", "skills", "certificates"]
# The phone is written through Worker.set_phone (four encrypted columns), not copied as is.
_PHONE_FIELDS = ["phone_encrypted", "phone_index", "phone_last4", "phone_masked"]
# What an official may reveal, with a reason, and how the reveal is named in the audit log.
REVEALABLE = {"id_number": "worker.reveal_id_number", "phone": "worker.reveal_phone"}
ALL_CONSENT_SCOPES = tuple(ConsentScope.values)
# Version of the consent notice (告知书) a worker agrees to; bump when its text changes.
CONSENT_TEXT_VERSION = "2026-01"
# Statuses an official may set by hand; the others follow the match lifecycle.
MANUAL_STATUS_MOVES: dict[str, set[str]] = {
    WorkerStatus.REGISTERED: {WorkerStatus.WITHDRAWN},
    WorkerStatus.WITHDRAWN: {WorkerStatus.REGISTERED},
    WorkerStatus.EMPLOYED: {WorkerStatus.RETURNED},
    WorkerStatus.RETURNED: {WorkerStatus.REGISTERED, WorkerStatus.WITHDRAWN},
}
MAX_WISHES = 10


@dataclass(frozen=True)
class SkillInput:
    occupation: Occupation
    level: int = SkillLevel.NONE
    years: int = 0

    def describe(self) -> str:
        return f"{self.occupation.name_zh}/{SkillLevel(self.level).label}/{self.years}"


@dataclass(frozen=True)
class CertificateInput:
    certificate_type: CertificateType
    number: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None

    def describe(self) -> str:
        dates = "–".join(d.isoformat() for d in (self.issued_on, self.expires_on) if d)
        return f"{self.certificate_type.name_zh} {self.number} {dates}".strip()


@dataclass(frozen=True)
class ConsentInput:
    given_on: dt.date
    method: str
    scope: Sequence[str] = field(default=ALL_CONSENT_SCOPES)
    witness: str = ""
    text_version: str = CONSENT_TEXT_VERSION


# Checks shared with the importer --------------------------------------------------------


def duplicate_error(number: str) -> ValidationError | None:
    """Return the error for an ID number already in the registry, naming its county."""
    existing = (
        Worker.objects.filter(id_number_index=crypto.id_number_blind_index(number))
        .select_related("home_county")
        .first()
    )
    if existing is None:
        return None
    return ValidationError({"id_number": duplicate_message(existing.home_county)}, code="duplicate")


def duplicate_message(county: Region) -> str:
    return _("该身份证号已由%(county)s登记，不能重复登记。") % {
        "county": county.full_name or county
    }


def check_address(county: Region, township: Region | None, village: Region | None) -> None:
    if county.level != Region.Level.COUNTY:
        raise ValidationError({"home_county": _("户籍地必须是县级行政区。")})
    if township is not None and (
        township.level != Region.Level.TOWNSHIP or not county.contains(township)
    ):
        raise ValidationError({"home_township": _("乡镇不属于所选县区。")})
    if village is not None and (
        village.level != Region.Level.VILLAGE or township is None or not township.contains(village)
    ):
        raise ValidationError({"home_village": _("村不属于所选乡镇。")})


def check_travel_group(county: Region, group: TravelGroup | None) -> None:
    if group is not None and group.home_county_id != county.pk:
        raise ValidationError({"travel_group": _("同行组必须属于同一县区。")})


def check_certificate_dates(issued_on: dt.date | None, expires_on: dt.date | None) -> str | None:
    """Return why the dates are impossible, or None."""
    today = timezone.localdate()
    if issued_on and issued_on > today:
        return _("发证日期不能晚于今天。")
    if issued_on and expires_on and expires_on < issued_on:
        return _("有效期不能早于发证日期。")
    return None


def _check_choices(values: dict[str, Any]) -> None:
    if values.get("poverty_status") not in PovertyStatus.values:
        raise ValidationError({"poverty_status": _("请选择帮扶身份。")})
    if values.get("education") not in ("", *Education.values):
        raise ValidationError({"education": _("请选择文化程度。")})
    wage = values.get("min_wage")
    if wage is not None and not 0 <= wage <= 100_000:
        raise ValidationError({"min_wage": _("最低月薪应在 0 至 100000 元之间。")})


def _check_lists(
    county: Region,
    wish_cities: Sequence[Region],
    wish_occupations: Sequence[Occupation],
    skills: Sequence[SkillInput],
    certificates: Sequence[CertificateInput],
) -> None:
    if len(wish_cities) > MAX_WISHES or len(wish_occupations) > MAX_WISHES:
        raise ValidationError(_("意向城市和意向工种各最多 %(n)d 个。") % {"n": MAX_WISHES})
    for region in wish_cities:
        if region.level not in (Region.Level.CITY, Region.Level.COUNTY):
            raise ValidationError({"wish_cities": _("意向城市应为地级市或县级市。")})
    seen = set()
    for skill in skills:
        if skill.occupation.pk in seen:
            raise ValidationError({"skills": _("同一工种只能填写一次。")})
        seen.add(skill.occupation.pk)
        if not 0 <= skill.years <= 60:
            raise ValidationError({"skills": _("从业年限应在 0 至 60 年之间。")})
        if skill.level not in SkillLevel.values:
            raise ValidationError({"skills": _("请选择技能等级。")})
    seen = set()
    for certificate in certificates:
        if certificate.certificate_type.pk in seen:
            raise ValidationError({"certificates": _("同一类证书只能填写一次。")})
        seen.add(certificate.certificate_type.pk)
        problem = check_certificate_dates(certificate.issued_on, certificate.expires_on)
        if problem:
            raise ValidationError({"certificates": problem})


def check_consent(consent: ConsentInput) -> None:
    if consent.method not in ConsentMethod.values:
        raise ValidationError({"consent_method": _("请选择授权方式。")})
    if consent.given_on > timezone.localdate():
        raise ValidationError({"consent_given_on": _("授权日期不能晚于今天。")})
    if not consent.scope or set(consent.scope) - set(ConsentScope.values):
        raise ValidationError({"consent_scope": _("请选择授权范围。")})
    if consent.method == ConsentMethod.WITNESSED_VERBAL and not consent.witness.strip():
        raise ValidationError({"consent_witness": _("口头同意须填写见证人。")})


def _serves(actor: User | None, county: Region) -> bool:
    return actor is None or access.counties_for_registration(actor).filter(pk=county.pk).exists()


# Related rows ---------------------------------------------------------------------------


def related_rows(
    worker: Worker,
    *,
    wish_cities: Sequence[Region] = (),
    wish_occupations: Sequence[Occupation] = (),
    skills: Sequence[SkillInput] = (),
    certificates: Sequence[CertificateInput] = (),
) -> dict[type, list]:
    """Return unsaved rows of the worker's wishes, skills and certificates, by model."""
    return {
        WishCity: [
            WishCity(worker=worker, region=region, rank=rank)
            for rank, region in enumerate(wish_cities, start=1)
        ],
        WishOccupation: [
            WishOccupation(worker=worker, occupation=occupation, rank=rank)
            for rank, occupation in enumerate(wish_occupations, start=1)
        ],
        WorkerSkill: [
            WorkerSkill(worker=worker, occupation=s.occupation, level=s.level, years=s.years)
            for s in skills
        ],
        WorkerCertificate: [
            WorkerCertificate(
                worker=worker,
                certificate_type=c.certificate_type,
                number=c.number.strip(),
                issued_on=c.issued_on,
                expires_on=c.expires_on,
            )
            for c in certificates
        ],
    }


def _list_state(worker: Worker) -> dict[str, list[str]]:
    """Return the worker's wishes, skills and certificates as readable lists for the audit."""
    return {
        "wish_cities": [
            link.region.name for link in worker.wish_city_links.select_related("region")
        ],
        "wish_occupations": [
            link.occupation.name_zh
            for link in worker.wish_occupation_links.select_related("occupation")
        ],
        "skills": [
            SkillInput(s.occupation, s.level, s.years).describe()
            for s in worker.skills.select_related("occupation")
        ],
        "certificates": [
            CertificateInput(c.certificate_type, c.number, c.issued_on, c.expires_on).describe()
            for c in worker.certificates.select_related("certificate_type")
        ],
    }


def _describe_list(name: str, values: Sequence[Any]) -> list[str]:
    if name == "wish_cities":
        return [region.name for region in values]
    if name == "wish_occupations":
        return [occupation.name_zh for occupation in values]
    return [item.describe() for item in values]


def _consent_create(*, actor: User | None, worker: Worker, consent: ConsentInput) -> Consent:
    check_consent(consent)
    record = Consent.objects.create(
        worker=worker,
        given_on=consent.given_on,
        method=consent.method,
        scope=list(consent.scope),
        witness=consent.witness.strip(),
        text_version=consent.text_version,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    worker.consent_status = ConsentStatus.GIVEN
    worker.consent_given_on = consent.given_on
    return record


# Services -------------------------------------------------------------------------------


@transaction.atomic
def worker_register(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    phone: str,
    home_county: Region,
    home_township: Region | None = None,
    home_village: Region | None = None,
    home_village_name: str = "",
    poverty_status: str = PovertyStatus.NONE,
    status: str = WorkerStatus.REGISTERED,
    education: str = "",
    labor_brand: LaborBrand | None = None,
    wish_cities: Sequence[Region] = (),
    wish_occupations: Sequence[Occupation] = (),
    min_wage: int | None = None,
    earliest_departure: dt.date | None = None,
    accepts_dormitory: bool = True,
    accepts_shift_work: bool = True,
    travel_group: TravelGroup | None = None,
    note: str = "",
    skills: Sequence[SkillInput] = (),
    certificates: Sequence[CertificateInput] = (),
    consent: ConsentInput | None = None,
    source: str = WorkerSource.FORM,
) -> Worker:
    """Register a worker in ``home_county``; refuse a county the actor does not serve."""
    if not _serves(actor, home_county):
        raise PermissionDenied(_("您只能登记本县区的劳动力。"))
    number = validate_id_number(id_number)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写姓名。")})
    check_address(home_county, home_township, home_village)
    check_travel_group(home_county, travel_group)
    values = {"poverty_status": poverty_status, "education": education, "min_wage": min_wage}
    _check_choices(values)
    _check_lists(home_county, wish_cities, wish_occupations, skills, certificates)
    duplicate = duplicate_error(number)
    if duplicate is not None:
        raise duplicate
    worker = Worker(
        name=name,
        phone=validate_mobile(phone),
        home_county=home_county,
        home_township=home_township,
        home_village=home_village,
        home_village_name=(home_village.name if home_village else home_village_name.strip()),
        poverty_status=poverty_status,
        education=education,
        labor_brand=labor_brand,
        min_wage=min_wage,
        earliest_departure=earliest_departure,
        accepts_dormitory=accepts_dormitory,
        accepts_shift_work=accepts_shift_work,
        travel_group=travel_group,
        note=note.strip(),
        status=status,
        source=source,
        registered_by=actor if actor is not None and actor.is_authenticated else None,
    )
    worker.set_id_number(number)
    try:
        # The unique blind index is the last word when two officials register at once.
        with transaction.atomic():
            worker.save()
    except IntegrityError:
        raise duplicate_error(number) or ValidationError(_("保存失败，请重试。")) from None
    for model, rows in related_rows(
        worker,
        wish_cities=wish_cities,
        wish_occupations=wish_occupations,
        skills=skills,
        certificates=certificates,
    ).items():
        model.objects.bulk_create(rows)
    if consent is not None:
        _consent_create(actor=actor, worker=worker, consent=consent)
        worker.save(update_fields=["consent_status", "consent_given_on", "updated_at"])
    audit_record(
        actor=actor,
        action="worker.register",
        target=worker,
        changes={"name": name, "source": source},
    )
    return worker


@transaction.atomic
def worker_update(*, actor: User, worker: Worker, **values: Any) -> Worker:
    """Change a worker's editable fields and lists (wishes, skills, certificates); audit it.

    ``phone`` is optional (None or absent keeps the stored one); a changed phone is audited
    masked, old and new.
    """
    if not access.workers_editable_by(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("您无权修改该劳动力信息。"))
    unknown = set(values) - set(_EDITABLE_FIELDS) - set(_LIST_FIELDS) - {"phone"}
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    phone = values.pop("phone", None)
    phone = validate_mobile(phone) if phone is not None else None
    merged = {f: values.get(f, getattr(worker, f)) for f in _EDITABLE_FIELDS}
    merged["name"] = merged["name"].strip()
    merged["note"] = (merged["note"] or "").strip()
    if not merged["name"]:
        raise ValidationError({"name": _("请填写姓名。")})
    if merged["home_village"] is not None:
        merged["home_village_name"] = merged["home_village"].name
    merged["home_village_name"] = (merged["home_village_name"] or "").strip()
    check_address(merged["home_county"], merged["home_township"], merged["home_village"])
    check_travel_group(merged["home_county"], merged["travel_group"])
    _check_choices(merged)
    if merged["home_county"] != worker.home_county and not _serves(actor, merged["home_county"]):
        raise PermissionDenied(_("您只能登记本县区的劳动力。"))
    lists = {name: list(values[name]) for name in _LIST_FIELDS if name in values}
    _check_lists(
        merged["home_county"],
        lists.get("wish_cities", []),
        lists.get("wish_occupations", []),
        lists.get("skills", []),
        lists.get("certificates", []),
    )
    changes = model_changes(worker, _EDITABLE_FIELDS, merged)
    if phone is not None and crypto.phone_blind_index(phone) != worker.phone_index:
        changes["phone"] = [worker.phone_masked, mask_phone(phone)]
    if lists:
        before = _list_state(worker)
        for name, items in lists.items():
            after = _describe_list(name, items)
            if before[name] != after:
                changes[name] = [before[name], after]
    if not changes:
        return worker
    for name, value in merged.items():
        setattr(worker, name, value)
    scalar = [name for name in changes if name in _EDITABLE_FIELDS]
    if "phone" in changes:
        worker.set_phone(phone)  # type: ignore[arg-type]
        scalar += _PHONE_FIELDS
    worker.save(update_fields=[*scalar, "updated_at"])
    replaced = related_rows(worker, **{n: lists[n] for n in lists if n in changes})
    relation = {
        "wish_cities": WishCity,
        "wish_occupations": WishOccupation,
        "skills": WorkerSkill,
        "certificates": WorkerCertificate,
    }
    for name in lists:
        if name in changes:
            model = relation[name]
            model.objects.filter(worker=worker).delete()
            model.objects.bulk_create(replaced[model])
    audit_record(actor=actor, action="worker.update", target=worker, changes=changes)
    return worker


@transaction.atomic
def worker_set_status(*, actor: User, worker: Worker, status: str, reason: str = "") -> Worker:
    """Move a worker between the statuses an official sets by hand (withdrawn, returned …)."""
    worker = access.workers_editable_by(actor).select_for_update().filter(pk=worker.pk).first()
    if worker is None:
        raise PermissionDenied(_("您无权修改该劳动力信息。"))
    if status not in MANUAL_STATUS_MOVES.get(worker.status, set()):
        raise ValidationError(
            {
                "status": _("状态不能从“%(old)s”改为“%(new)s”。")
                % {"old": WorkerStatus(worker.status).label, "new": WorkerStatus(status).label}
            }
        )
    old = worker.status
    worker.status = status
    worker.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="worker.status",
        target=worker,
        changes={"status": [old, status]},
        reason=reason.strip(),
    )
    return worker


@transaction.atomic
def worker_reveal(*, actor: User, worker: Worker, field: str, reason: str) -> str:
    """Return the full ID number or phone and record who asked, for which, when and why."""
    if field not in REVEALABLE:
        raise ValidationError({"field": _("请选择要查看的信息：身份证号或手机号。")})
    if not access.workers_editable_by(actor).filter(pk=worker.pk).exists():
        if field == "phone":
            raise PermissionDenied(_("您无权查看该手机号。"))
        raise PermissionDenied(_("您无权查看该身份证号。"))
    reason = reason.strip()
    if len(reason) < 2:
        if field == "phone":
            raise ValidationError({"reason": _("请说明查看完整手机号的原因。")})
        raise ValidationError({"reason": _("请说明查看完整身份证号的原因。")})
    audit_record(actor=actor, action=REVEALABLE[field], target=worker, reason=reason)
    return worker.reveal_phone() if field == "phone" else worker.reveal_id_number()


def worker_reveal_id_number(*, actor: User, worker: Worker, reason: str) -> str:
    """Return the full ID number and record who asked, when and why."""
    return worker_reveal(actor=actor, worker=worker, field="id_number", reason=reason)


def worker_reveal_phone(*, actor: User, worker: Worker, reason: str) -> str:
    """Return the full phone and record who asked, when and why."""
    return worker_reveal(actor=actor, worker=worker, field="phone", reason=reason)


@transaction.atomic
def worker_consent_record(*, actor: User, worker: Worker, consent: ConsentInput) -> Consent:
    """Record a worker's consent (paper, self-service or witnessed verbal) and its scope."""
    worker = access.workers_editable_by(actor).select_for_update().filter(pk=worker.pk).first()
    if worker is None:
        raise PermissionDenied(_("您无权修改该劳动力信息。"))
    record = _consent_create(actor=actor, worker=worker, consent=consent)
    worker.save(update_fields=["consent_status", "consent_given_on", "updated_at"])
    audit_record(
        actor=actor,
        action="worker.consent",
        target=worker,
        changes={
            "consent": {
                "given_on": consent.given_on.isoformat(),
                "method": consent.method,
                "scope": list(consent.scope),
            }
        },
    )
    return record


@transaction.atomic
def worker_consent_withdraw(
    *, actor: User, worker: Worker, withdrawn_on: dt.date, reason: str = ""
) -> Consent:
    """Record that the worker withdrew their consent; they drop out of matching."""
    worker = access.workers_editable_by(actor).select_for_update().filter(pk=worker.pk).first()
    if worker is None:
        raise PermissionDenied(_("您无权修改该劳动力信息。"))
    current = worker.consents.filter(withdrawn_on__isnull=True).order_by("-given_on", "-id").first()
    if current is None:
        raise ValidationError(_("该劳动力没有有效的授权，无需撤回。"))
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("撤回日期不能晚于今天。")})
    if withdrawn_on < current.given_on:
        raise ValidationError({"withdrawn_on": _("撤回日期不能早于授权日期。")})
    worker.consents.filter(withdrawn_on__isnull=True).update(
        withdrawn_on=withdrawn_on,
        withdrawal_reason=reason.strip(),
        withdrawn_by=actor,
        updated_at=timezone.now(),
    )
    worker.consent_status = ConsentStatus.WITHDRAWN
    worker.save(update_fields=["consent_status", "updated_at"])
    audit_record(
        actor=actor,
        action="worker.consent_withdraw",
        target=worker,
        changes={"consent_status": [ConsentStatus.GIVEN, ConsentStatus.WITHDRAWN]},
        reason=reason.strip(),
    )
    current.refresh_from_db()
    return current


# Marking consent for a page of workers: one INSERT per 1,000 consents, ~15 ms on PostgreSQL.
CONSENT_BATCH = 1000


@transaction.atomic
def workers_consent_record_bulk(
    *, actor: User, workers: QuerySet[Worker] | Iterable[Worker], consent: ConsentInput
) -> int:
    """Record the same consent for every given worker without a current one; return how many."""
    check_consent(consent)
    ids = {w.pk for w in workers}
    editable = access.workers_editable_by(actor).filter(pk__in=ids)
    if editable.count() != len(ids):
        raise PermissionDenied(_("您无权修改所选的部分劳动力。"))
    targets = list(
        editable.exclude(consent_status=ConsentStatus.GIVEN).select_for_update().order_by("pk")
    )
    Consent.objects.bulk_create(
        [
            Consent(
                worker=worker,
                given_on=consent.given_on,
                method=consent.method,
                scope=list(consent.scope),
                witness=consent.witness.strip(),
                text_version=consent.text_version,
                recorded_by=actor,
            )
            for worker in targets
        ],
        batch_size=CONSENT_BATCH,
    )
    Worker.objects.filter(pk__in=[w.pk for w in targets]).update(
        consent_status=ConsentStatus.GIVEN,
        consent_given_on=consent.given_on,
        updated_at=timezone.now(),
    )
    # one UPDATE sends no post_save: matching's rolling mode hears of them here
    workers_registered_send(worker_ids=[w.pk for w in targets], source="consent")
    from laborbridge.imports.services import audit_record_bulk

    audit_record_bulk(
        actor=actor,
        action="worker.consent",
        entries=[
            (
                worker,
                {
                    "consent": {
                        "given_on": consent.given_on.isoformat(),
                        "method": consent.method,
                        "scope": list(consent.scope),
                    }
                },
            )
            for worker in targets
        ],
        batch_size=CONSENT_BATCH,
    )
    return len(targets)


@transaction.atomic
def travel_group_create(
    *, actor: User, home_county: Region, name: str, kind: str = TravelGroup.Kind.FELLOW_VILLAGERS
) -> TravelGroup:
    """Create a travel group in the actor's county (or return the one with that name)."""
    if not _serves(actor, home_county):
        raise PermissionDenied(_("您只能管理本县区的同行组。"))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写同行组名称。")})
    group, created = TravelGroup.objects.get_or_create(
        home_county=home_county, name=name, defaults={"kind": kind, "created_by": actor}
    )
    if created:
        audit_record(
            actor=actor, action="travel_group.create", target=group, changes={"name": name}
        )
    return group


def worker_export_workbook(
    *, actor: User, workers: QuerySet[Worker], full_id_numbers: bool = False, reason: str = ""
) -> bytes:
    """Return the workers as a roster .xlsx in the import template's layout; audit it.

    ID numbers and phones are masked. With ``full_id_numbers`` the file carries both in full
    and can be edited and imported again; that reveals every number, so it needs a reason
    and is recorded like a reveal.
    """
    from laborbridge.imports.workbooks import export_workbook

    reason = reason.strip()
    if full_id_numbers and len(reason) < 2:
        raise ValidationError({"reason": _("导出完整身份证号和手机号须说明原因。")})
    scoped = access.workers_visible_to(actor)
    if full_id_numbers:
        scoped = access.workers_editable_by(actor)
    rows = list(
        scoped.filter(pk__in=workers.values("pk")).order_by("home_township_id", "name", "pk")
    )
    load_roster_states(rows)
    importer = WorkerRosterExport(actor=actor, options=WorkerRosterExport.options_for(actor))
    data = export_workbook(
        importer, (importer.export_row(w, full_id_number=full_id_numbers) for w in rows)
    )
    county = actor.county if actor.county_id else rows[0].home_county if rows else None
    if county is not None:
        audit_record(
            actor=actor,
            action="worker.export_full" if full_id_numbers else "worker.export",
            target=county,
            changes={"count": len(rows), "worker_ids": [w.pk for w in rows]},
            reason=reason,
        )
    return data


@transaction.atomic
def employment_open(*, actor: User | None, match) -> Employment:
    """Open the employment record of a hired match (idempotent: one record per match)."""
    employment, created = Employment.objects.get_or_create(
        match=match,
        defaults={
            "worker_id": match.worker_id,
            "employer_id": match.vacancy.employer_id,
            "vacancy_id": match.vacancy_id,
            "started_on": timezone.localdate(),
            # The derived fields at arrival (placement.services keeps them from then on).
            "current_employer_id": match.vacancy.employer_id,
            "current_employer_name": match.vacancy.employer.name,
            "current_workplace_id": match.vacancy.district_id,
            "current_monthly_wage": match.vacancy.wage_min,
            "working_since": timezone.localdate(),
        },
    )
    if created:
        audit_record(
            actor=actor,
            action="employment.open",
            target=employment,
            changes={"match": match.pk, "employer": match.vacancy.employer_id},
        )
    return employment
