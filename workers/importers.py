"""The county roster (花名册) importer: one row per person, keyed by resident ID number.

A person already registered by this county is updated with what the row gives (a blank
cell never erases anything); a new person is registered; a person registered by another
county is rejected naming that county. Wishes listed in a row replace the stored ones; the
row's skill and certificate are added or updated by occupation / certificate type.

This module is the write path: lookups, row checks, the diff, the bulk write and the preview.
The columns (headers, synonyms, cleaners) and the export row are declared in
:mod:`workers.roster_columns`, which the roster export in :mod:`workers.services` uses too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from laborbridge import crypto
from laborbridge.identifiers import mask_id_number, mask_phone
from laborbridge.imports import cleaners
from laborbridge.imports.base import (
    CellError,
    Row,
    RowImporter,
    RowRejected,
    Update,
    register_importer,
)
from laborbridge.imports.cleaners import fold, norm
from laborbridge.imports.services import audit_record_bulk
from laborbridge.imports.writing import insert_values, update_values
from laborbridge.models import (
    CertificateType,
    LaborBrand,
    Occupation,
    OccupationWordMapping,
    Region,
    User,
)
from laborbridge.reference import occupation_aliases
from laborbridge.services import audit_record
from workers.changes import workers_registered_send
from workers.models import (
    Consent,
    ConsentMethod,
    ConsentStatus,
    Education,
    PovertyStatus,
    SkillLevel,
    TravelGroup,
    WishCity,
    WishOccupation,
    Worker,
    WorkerCertificate,
    WorkerSkill,
    WorkerSource,
    set_phone_fields,
)
from workers.roster_columns import WorkerRosterColumns, choice_label
from workers.roster_links import intermediary_hook
from workers.roster_state import (
    LOOKUP_BATCH,
    RELATED_FIELDS,
    SCALAR_FIELDS,
    WORKER_FIELDS,
    Names,
    NewWorker,
    delete_pairs,
    load_roster_states,
    plain_changes,
)
from workers.services import (
    ALL_CONSENT_SCOPES,
    CONSENT_TEXT_VERSION,
    check_certificate_dates,
    duplicate_message,
)

# Rows per INSERT / UPDATE page (see laborbridge.imports.writing). Measured on this 2-core
# box: 1,000 workers (27 columns, encrypted ID) per INSERT take ~40 ms on SQLite and ~60 ms
# on PostgreSQL; bigger pages gain nothing. Updates are prepared per-row statements sent
# 1,000 per page (~0.1 ms a row).
CREATE_BATCH = 1000
UPDATE_BATCH = 1000
# People listed by name in the preview (added, and changed field by field); the counts and the
# rejected-rows download always cover everyone.
PREVIEW_SAMPLES = 200


class Unclassified(str):
    """An occupation word no occupation, alias or county mapping knows: kept as 待归类."""


class GeneralLabour(str):
    """A word for general labour (普工, 力工): the person is imported with no skill."""


_TOWNSHIP_SUFFIX = re.compile(r"(街道办事处|街道|民族乡|回族乡|镇|乡)$")
_VILLAGE_SUFFIX = re.compile(r"(村民委员会|居民委员会|社区居委会|村委会|居委会|委员会|社区|村)$")
_CITY_SUFFIX = re.compile(r"(市|地区|自治州|盟)$")


@register_importer
class WorkerRosterImporter(WorkerRosterColumns, RowImporter):
    """Import a county official's roster into their county (columns: ``WorkerRosterColumns``)."""

    # Lookups -------------------------------------------------------------------------
    def prepare(self) -> None:
        if getattr(self, "_prepared", False):
            return
        self._prepared = True
        # One date for the whole file: timezone.localdate() per row cost ~0.9 s at 100,000
        # rows (the time zone is read through a thread-local on every call).
        self.today = timezone.localdate()
        self.county = Region.objects.get(pk=self.options["county"])
        self.townships: dict[str, Region] = {}
        self.township_by_code: dict[str, Region] = {}
        self.villages: dict[str, dict[str, Region]] = {}
        for region in Region.objects.filter(
            code__startswith=self.county.code, level__in=["township", "village"]
        ).order_by("level", "code"):
            if region.level == Region.Level.TOWNSHIP:
                self.township_by_code[region.code] = region
                for key in {norm(region.name), _TOWNSHIP_SUFFIX.sub("", norm(region.name))}:
                    self.townships.setdefault(key, region)
            else:
                bucket = self.villages.setdefault(region.parent_id, {})
                for key in {norm(region.name), _VILLAGE_SUFFIX.sub("", norm(region.name))}:
                    bucket.setdefault(key, region)
        self.occupations: dict[str, Occupation] = {}
        by_code: dict[str, Occupation] = {}
        for occupation in Occupation.objects.all():
            self.occupations.setdefault(norm(occupation.name_zh), occupation)
            self.occupations.setdefault(norm(occupation.code), occupation)
            by_code[occupation.code] = occupation
        # Words people write (厨师, 月嫂): the county's own choices first, then the shipped
        # alias table; None = general labour (普工), imported as no skill.
        self.occupation_words: dict[str, Occupation | None] = {}
        for word, code in occupation_aliases().items():
            if code is None or code in by_code:
                self.occupation_words[norm(word)] = by_code.get(code) if code else None
        for mapping in OccupationWordMapping.objects.filter(county=self.county).select_related(
            "occupation"
        ):
            self.occupation_words[norm(mapping.word)] = mapping.occupation
        self.unclassified_rows: dict[str, list[int]] = {}
        self.general_rows: dict[str, list[int]] = {}
        self.certificates: dict[str, CertificateType] = {}
        inner: dict[str, list[CertificateType]] = {}
        for certificate in CertificateType.objects.all():
            self.certificates.setdefault(norm(certificate.name_zh), certificate)
            self.certificates.setdefault(norm(certificate.code), certificate)
            match = re.search(r"[(（]([^)）]+)[)）]", certificate.name_zh)
            if match:
                inner.setdefault(norm(match.group(1)), []).append(certificate)
        self.certificate_hints = inner
        self.brands = {norm(b.name_zh): b for b in LaborBrand.objects.all()}
        self.cities: dict[str, Region] = {}
        ambiguous: set[str] = set()
        for region in Region.objects.filter(level__in=["city", "county"]).order_by("level", "code"):
            if region.level == "county" and not region.name.endswith("市"):
                continue  # districts and counties are not cities a worker names
            for key in {norm(region.name), _CITY_SUFFIX.sub("", norm(region.name))}:
                existing = self.cities.get(key)
                if existing is None:
                    self.cities[key] = region
                elif existing.level == region.level and existing.pk != region.pk:
                    ambiguous.add(key)
        for key in ambiguous:
            self.cities.pop(key, None)
        self.groups = {g.name: g for g in TravelGroup.objects.filter(home_county=self.county)}
        # Who brought the worker (输转中介): subsidies' records, through the hook.
        hook = intermediary_hook()
        found = hook.names(self.county.pk) if hook else {}
        self.intermediaries = {norm(name): pk for name, pk in found.items()}
        self.intermediary_labels = {pk: name for name, pk in found.items()}
        self.current_intermediaries: dict[int, int] = {}

    # Cleaners that need the lookups ---------------------------------------------------
    def clean_township(self, value: Any) -> Region:
        key = norm(value)
        region = self.townships.get(key) or self.townships.get(_TOWNSHIP_SUFFIX.sub("", key))
        if region is None:
            raise CellError(
                _("“%(value)s”不是%(county)s的乡镇（街道），请从下拉列表中选择。")
                % {"value": fold(value)[:20], "county": self.county.name}
            )
        return region

    def _occupation(self, value: Any) -> Occupation | Unclassified | GeneralLabour:
        """Return the occupation a word names; an unknown word never rejects the person."""
        word = fold(value)
        key = norm(word)
        occupation = self.occupations.get(key)
        if occupation is not None:
            return occupation
        if key in self.occupation_words:
            found = self.occupation_words[key]
            return found if found is not None else GeneralLabour(word)
        if len(word) > 50:
            raise CellError(_("工种名称过长：最多 50 个字，多个工种请用顿号“、”分隔。"))
        return Unclassified(word)

    def clean_occupation(self, value: Any) -> Occupation | Unclassified | GeneralLabour:
        return self._occupation(value)

    def clean_wish_occupations(self, value: Any) -> list[Occupation | Unclassified | GeneralLabour]:
        return cleaners.multi(self._occupation)(value)

    def clean_certificate_type(self, value: Any) -> CertificateType:
        key = norm(value)
        found = self.certificates.get(key)
        if found is None:
            hints = self.certificate_hints.get(key, [])
            if len(hints) == 1:
                found = hints[0]
        if found is None:
            raise CellError(
                _("证书类型“%(value)s”无法识别，请从下拉列表中选择。") % {"value": fold(value)[:30]}
            )
        return found

    def clean_intermediary(self, value: Any) -> int:
        found = self.intermediaries.get(norm(value))
        if found is None:
            raise CellError(
                _(
                    "“%(value)s”不是%(county)s登记的输转中介（机构或带头人）：请从下拉列表中选择，"
                    "或先在“输转奖补”页面登记。"
                )
                % {"value": fold(value)[:30], "county": self.county.name}
            )
        return found

    def clean_labor_brand(self, value: Any) -> LaborBrand:
        brand = self.brands.get(norm(value))
        if brand is None:
            raise CellError(
                _("劳务品牌“%(value)s”无法识别，请从下拉列表中选择。") % {"value": fold(value)[:20]}
            )
        return brand

    def _city(self, value: Any) -> Region:
        key = norm(value)
        region = self.cities.get(key) or self.cities.get(_CITY_SUFFIX.sub("", key))
        if region is None:
            raise CellError(
                _("意向城市“%(value)s”无法识别，请填写城市名称，如“青岛市”。")
                % {"value": fold(value)[:20]}
            )
        return region

    def clean_wish_cities(self, value: Any) -> list[Region]:
        return cleaners.multi(self._city)(value)

    # Row checks ---------------------------------------------------------------------
    def _village(self, row: Row) -> tuple[Region | None, str]:
        name = row.get("village", "")
        key = norm(name)
        stem = _VILLAGE_SUFFIX.sub("", key)
        township = row.get("township")
        buckets = [self.villages.get(township.code, {})] if township else self.villages.values()
        found = {b.get(key) or b.get(stem) for b in buckets} - {None}
        if len(found) == 1:
            region = found.pop()
            return region, region.name
        return None, name

    def _sort_occupations(self, row: Row) -> None:
        """Split the occupation cells into classified occupations and 待归类 words."""
        if row.has("skill_occupation"):
            found = row.values.pop("skill_occupation")
            if isinstance(found, Occupation):
                row.values["skill_occupation"] = found
            else:
                if isinstance(found, Unclassified):
                    row.values["skill_unclassified"] = str(found)
                    self.unclassified_rows.setdefault(str(found), []).append(row.number)
                else:
                    self.general_rows.setdefault(str(found), []).append(row.number)
                # A level or years of an unknown trade say nothing the engine can use.
                row.values.pop("skill_level", None)
                row.values.pop("skill_years", None)
        if row.has("wish_occupations"):
            found = row.values["wish_occupations"]
            row.values["wish_occupations"] = [o for o in found if isinstance(o, Occupation)]
            words = [str(o) for o in found if isinstance(o, Unclassified)]
            row.values["wishes_unclassified"] = "、".join(words)[:200]
            for word in words:
                self.unclassified_rows.setdefault(word, []).append(row.number)
            for word in (str(o) for o in found if isinstance(o, GeneralLabour)):
                self.general_rows.setdefault(word, []).append(row.number)

    def validate(self, row: Row) -> None:
        monitoring = row.values.pop("monitoring", None)
        if monitoring == PovertyStatus.MONITORED:
            row.values["poverty_status"] = PovertyStatus.MONITORED
        self._sort_occupations(row)
        if row.has("village"):
            region, name = self._village(row)
            row.values["village"] = (region, name)
            if region is not None and not row.has("township"):
                # A coded village names its township: fill it in rather than leave it out.
                row.values["township"] = self.township_by_code[region.parent_id]
        if (row.has("skill_level") or row.has("skill_years")) and not row.has("skill_occupation"):
            raise RowRejected(
                "skill_occupation", _("填写了技能等级或从业年限，但没有填写技能工种。")
            )
        certificate_details = (
            "certificate_number",
            "certificate_issued_on",
            "certificate_expires_on",
        )
        if any(row.has(key) for key in certificate_details) and not row.has("certificate_type"):
            raise RowRejected("certificate_type", _("填写了证书编号或日期，但没有填写证书类型。"))
        # Without an issue date there is nothing to check (and no need for today's date).
        problem = (
            check_certificate_dates(
                row.get("certificate_issued_on"), row.get("certificate_expires_on")
            )
            if row.has("certificate_issued_on")
            else None
        )
        if problem:
            raise RowRejected("certificate_expires_on", problem)
        if row.has("consent_method") and not row.has("consent_given_on"):
            raise RowRejected("consent_given_on", _("填写了授权方式，请同时填写授权日期。"))
        if row.has("consent_given_on"):
            if not row.has("consent_method"):
                raise RowRejected("consent_method", _("填写了授权日期，请同时填写授权方式。"))
            if row.get("consent_given_on") > self.today:
                raise RowRejected("consent_given_on", _("授权日期不能晚于今天。"))
            if row.get("consent_method") == ConsentMethod.WITNESSED_VERBAL and not row.has(
                "consent_witness"
            ):
                raise RowRejected("consent_witness", _("口头同意须填写见证人。"))

    def key(self, row: Row) -> Hashable:
        return crypto.id_number_blind_index(row.values["id_number"])

    def label(self, row: Row) -> str:
        return row.get("name", "")

    # Stored state -------------------------------------------------------------------
    @staticmethod
    def export_queryset(workers: QuerySet[Worker]) -> QuerySet[Worker]:
        """Return ``workers`` with what the API's detail view shows, prefetched."""
        return workers.select_related(
            "home_county", "home_township", "home_village", "labor_brand", "travel_group"
        ).prefetch_related(
            Prefetch("wish_city_links", WishCity.objects.select_related("region")),
            Prefetch("wish_occupation_links", WishOccupation.objects.select_related("occupation")),
            Prefetch("skills", WorkerSkill.objects.select_related("occupation")),
            Prefetch("certificates", WorkerCertificate.objects.select_related("certificate_type")),
            Prefetch("consents", Consent.objects.order_by("-given_on", "-id")),
        )

    def existing(self, keys: Sequence[Hashable]) -> dict[Hashable, Worker]:
        found: dict[Hashable, Worker] = {}
        keys = list(keys)
        for start in range(0, len(keys), LOOKUP_BATCH):
            chunk = keys[start : start + LOOKUP_BATCH]
            workers = list(
                Worker.objects.filter(id_number_index__in=chunk).defer("id_number_encrypted")
            )
            load_roster_states(workers)
            for worker in workers:
                found[worker.id_number_index] = worker
            hook = intermediary_hook()
            if hook and self.intermediaries:
                self.current_intermediaries.update(hook.current([w.pk for w in workers]))
        return found

    def _county_name(self, code: str) -> Region:
        cache = self.__dict__.setdefault("_counties", {})
        if code not in cache:
            cache[code] = Region.objects.get(pk=code)
        return cache[code]

    def check_existing(self, row: Row, worker: Worker) -> None:
        if worker.home_county_id != self.county.pk:
            raise RowRejected(
                "id_number",
                duplicate_message(self._county_name(worker.home_county_id))
                + _("如确属本县人员，请与该县区联系办理。"),
            )
        if row.has("consent_given_on") and not self._has_consent(worker, row):
            withdrawn = [c.withdrawn_on for c in worker.roster.consents if c.withdrawn_on]
            if withdrawn and max(withdrawn) >= row.get("consent_given_on"):
                raise RowRejected(
                    "consent_given_on",
                    _(
                        "此人已于 %(date)s 撤回授权，表中的授权日期更早，不能据此恢复授权；"
                        "如本人重新同意，请在系统中登记新的授权。"
                    )
                    % {"date": max(withdrawn).isoformat()},
                )

    @staticmethod
    def _has_consent(worker: Worker, row: Row) -> bool:
        return any(
            c.given_on == row.get("consent_given_on") and c.method == row.get("consent_method")
            for c in worker.roster.consents
        )

    def diff(self, row: Row, worker: Worker) -> dict[str, list[Any]]:
        changes: dict[str, list[Any]] = {}

        def compare(key: str, old: Any, new: Any) -> None:
            if old != new:
                changes[key] = [old, new]

        if row.has("phone") and crypto.phone_blind_index(row.get("phone")) != worker.phone_index:
            # Compared by blind index; the change (preview, audit) shows both phones masked.
            changes["phone"] = [worker.phone_masked, mask_phone(row.get("phone"))]
        simple = {
            "name": "name",
            "poverty_status": "poverty_status",
            "education": "education",
            "min_wage": "min_wage",
            "earliest_departure": "earliest_departure",
            "accepts_dormitory": "accepts_dormitory",
            "accepts_shift_work": "accepts_shift_work",
            "note": "note",
            "skill_unclassified": "skill_unclassified",
            "wishes_unclassified": "wishes_unclassified",
        }
        for key, field in simple.items():
            if row.has(key):
                compare(key, getattr(worker, field), row.get(key))
        if row.has("township"):
            compare("township", worker.home_township_id, row.get("township").code)
        if row.has("village"):
            region, name = row.get("village")
            compare(
                "village",
                [worker.home_village_id, worker.home_village_name],
                [region.code if region else None, name],
            )
        if row.has("labor_brand"):
            compare("labor_brand", worker.labor_brand_id, row.get("labor_brand").pk)
        state = worker.roster
        if row.has("wish_cities"):
            compare(
                "wish_cities",
                state.wish_cities,
                [region.code for region in row.get("wish_cities")],
            )
        if row.has("wish_occupations"):
            compare(
                "wish_occupations",
                state.wish_occupations,
                [occupation.pk for occupation in row.get("wish_occupations")],
            )
        if row.has("skill_occupation"):
            skill = state.skills.get(row.get("skill_occupation").pk)
            old = [skill.level, skill.years] if skill else None
            new = [
                row.get("skill_level", skill.level if skill else SkillLevel.NONE),
                row.get("skill_years", skill.years if skill else 0),
            ]
            compare("skill_occupation", old, new)
        if row.has("certificate_type"):
            held = state.certificates.get(row.get("certificate_type").pk)
            old = [held.number, held.issued_on, held.expires_on] if held else None
            new = [
                row.get("certificate_number", held.number if held else ""),
                row.get("certificate_issued_on", held.issued_on if held else None),
                row.get("certificate_expires_on", held.expires_on if held else None),
            ]
            compare("certificate_type", old, new)
        if row.has("travel_group"):
            compare("travel_group", state.travel_group, row.get("travel_group"))
        if row.has("intermediary"):
            compare(
                "intermediary",
                self.current_intermediaries.get(worker.pk),
                row.get("intermediary"),
            )
        if row.has("consent_given_on") and not self._has_consent(worker, row):
            changes["consent_given_on"] = [
                worker.consent_given_on,
                row.get("consent_given_on"),
            ]
        return changes

    # Writing ------------------------------------------------------------------------
    def _groups_for(self, rows: Sequence[Row]) -> dict[str, TravelGroup]:
        wanted = {row.get("travel_group") for row in rows if row.has("travel_group")}
        missing = sorted(wanted - set(self.groups))
        if missing:
            TravelGroup.objects.bulk_create(
                [
                    TravelGroup(home_county=self.county, name=name, created_by=self.actor)
                    for name in missing
                ],
                ignore_conflicts=True,
            )
            self.groups = {g.name: g for g in TravelGroup.objects.filter(home_county=self.county)}
        return self.groups

    def _fill(self, worker: Worker, row: Row, groups: dict[str, TravelGroup]) -> None:
        # A new worker has no phone index: set the phone without computing its HMAC twice.
        if row.has("phone") and (
            not worker.phone_index
            or crypto.phone_blind_index(row.get("phone")) != worker.phone_index
        ):
            set_phone_fields(worker, row.get("phone"))
        for key in (
            "name",
            "poverty_status",
            "education",
            "min_wage",
            "earliest_departure",
            "accepts_dormitory",
            "accepts_shift_work",
            "note",
            "skill_unclassified",
            "wishes_unclassified",
        ):
            if row.has(key):
                setattr(worker, key, row.get(key))
        if row.has("township"):
            worker.home_township_id = row.get("township").code
        if row.has("village"):
            region, name = row.get("village")
            worker.home_village_id = region.code if region else None
            worker.home_village_name = name
        if row.has("labor_brand"):
            worker.labor_brand_id = row.get("labor_brand").pk
        if row.has("travel_group"):
            worker.travel_group_id = groups[row.get("travel_group")].pk
        if row.has("consent_given_on") and (
            worker.consent_given_on is None
            or row.get("consent_given_on") >= worker.consent_given_on
            or worker.consent_status != ConsentStatus.GIVEN
        ):
            worker.consent_status = ConsentStatus.GIVEN
            worker.consent_given_on = row.get("consent_given_on")

    def _related(self, worker: Worker, row: Row, *, stored: bool) -> dict[type, list[tuple]]:
        """Return the rows (as value tuples in ``RELATED_FIELDS`` order) a row adds."""
        rows: dict[type, list[tuple]] = {model: [] for model in RELATED_FIELDS}
        pk = worker.pk
        for rank, region in enumerate(row.get("wish_cities") or [], start=1):
            rows[WishCity].append((pk, region.code, rank))
        for rank, occupation in enumerate(row.get("wish_occupations") or [], start=1):
            rows[WishOccupation].append((pk, occupation.pk, rank))
        if row.has("skill_occupation"):
            occupation = row.get("skill_occupation")
            held = worker.roster.skills.get(occupation.pk) if stored else None
            rows[WorkerSkill].append(
                (
                    pk,
                    occupation.pk,
                    row.get("skill_level", held.level if held else SkillLevel.NONE),
                    row.get("skill_years", held.years if held else 0),
                )
            )
        if row.has("certificate_type"):
            kind = row.get("certificate_type")
            held = worker.roster.certificates.get(kind.pk) if stored else None
            rows[WorkerCertificate].append(
                (
                    pk,
                    kind.pk,
                    row.get("certificate_number", held.number if held else ""),
                    row.get("certificate_issued_on", held.issued_on if held else None),
                    row.get("certificate_expires_on", held.expires_on if held else None),
                )
            )
        if row.has("consent_given_on"):
            rows[Consent].append(
                (
                    pk,
                    row.get("consent_given_on"),
                    row.get("consent_method"),
                    list(ALL_CONSENT_SCOPES),
                    row.get("consent_witness", ""),
                    CONSENT_TEXT_VERSION,
                    self.actor.pk if self.actor else None,
                    "",
                    None,
                    None,
                    None,
                    None,
                )
            )
        return rows

    def apply(self, *, creates: Sequence[Row], updates: Sequence[Update]) -> None:
        groups = self._groups_for([*creates, *(u.row for u in updates)])
        job_id = self.job.pk if self.job is not None else None
        total = len(creates) + len(updates) or 1
        related: dict[type, list[tuple]] = {model: [] for model in RELATED_FIELDS}
        # New workers: one INSERT per batch, then their ids by blind index ------------------
        fresh: list[tuple[NewWorker, Row]] = []
        for row in creates:
            worker = NewWorker(county=self.county.pk, actor=self.actor)
            Worker.set_id_number(worker, row.values["id_number"])  # type: ignore[arg-type]
            self._fill(worker, row, groups)
            fresh.append((worker, row))
        insert_values(
            Worker,
            WORKER_FIELDS,
            ([getattr(worker, name) for name in WORKER_FIELDS] for worker, _row in fresh),
            batch_size=CREATE_BATCH,
        )
        self.report_progress(len(creates) / total * 0.5)
        by_index = {worker.id_number_index: worker for worker, _row in fresh}
        indexes = list(by_index)
        for start in range(0, len(indexes), LOOKUP_BATCH):
            for index, pk in Worker.objects.filter(
                id_number_index__in=indexes[start : start + LOOKUP_BATCH]
            ).values_list("id_number_index", "pk"):
                by_index[index].pk = pk
        # matching's rolling mode hears of them after the commit (workers.changes)
        workers_registered_send(worker_ids=[worker.pk for worker, _row in fresh])
        for worker, row in fresh:
            for model, items in self._related(worker, row, stored=False).items():
                related[model].extend(items)
        # Updated workers -----------------------------------------------------------------
        changed_fields: set[str] = set()
        replace: dict[type, set[int]] = {}
        skill_keys: list[tuple[int, int]] = []
        certificate_keys: list[tuple[int, int]] = []
        for update in updates:
            worker, row, changes = update.obj, update.row, update.changes
            before = {f: getattr(worker, f) for f in SCALAR_FIELDS}
            self._fill(worker, row, groups)
            changed_fields |= {f for f in SCALAR_FIELDS if getattr(worker, f) != before[f]}
            rows = self._related(worker, row, stored=True)
            if "wish_cities" in changes:
                replace.setdefault(WishCity, set()).add(worker.pk)
                related[WishCity].extend(rows[WishCity])
            if "wish_occupations" in changes:
                replace.setdefault(WishOccupation, set()).add(worker.pk)
                related[WishOccupation].extend(rows[WishOccupation])
            if "skill_occupation" in changes:
                skill_keys.append((worker.pk, row.get("skill_occupation").pk))
                related[WorkerSkill].extend(rows[WorkerSkill])
            if "certificate_type" in changes:
                certificate_keys.append((worker.pk, row.get("certificate_type").pk))
                related[WorkerCertificate].extend(rows[WorkerCertificate])
            if "consent_given_on" in changes:
                related[Consent].extend(rows[Consent])
        if updates:
            now = timezone.now()
            fields = sorted(changed_fields) + ["updated_at"]
            for update in updates:
                update.obj.updated_at = now
            update_values(
                Worker,
                fields,
                ([u.obj.pk, *(getattr(u.obj, f) for f in fields)] for u in updates),
                batch_size=UPDATE_BATCH,
            )
        for model, worker_ids in replace.items():
            ids = sorted(worker_ids)
            for start in range(0, len(ids), LOOKUP_BATCH):
                model.objects.filter(worker_id__in=ids[start : start + LOOKUP_BATCH]).delete()
        delete_pairs(WorkerSkill, "occupation_id", skill_keys)
        delete_pairs(WorkerCertificate, "certificate_type_id", certificate_keys)
        for model, items in related.items():
            insert_values(model, RELATED_FIELDS[model], items, batch_size=CREATE_BATCH)
        links = [(w.pk, row.get("intermediary")) for w, row in fresh if row.has("intermediary")]
        links += [
            (u.obj.pk, u.row.get("intermediary")) for u in updates if "intermediary" in u.changes
        ]
        hook = intermediary_hook()
        if links and hook:
            hook.link(self.actor, links, job_id)
        self.report_progress(0.9)
        # History -------------------------------------------------------------------------
        audit_record_bulk(
            actor=self.actor,
            action="worker.register",
            entries=[
                (w, {"name": w.name, "source": WorkerSource.IMPORT, "import_job": job_id})
                for w, _row in fresh
            ],
            reason=_("花名册导入"),
        )
        audit_record_bulk(
            actor=self.actor,
            action="worker.update",
            entries=[(u.obj, {**plain_changes(u.changes), "import_job": job_id}) for u in updates],
            reason=_("花名册导入"),
        )
        self.report_progress(1.0)

    # Preview ------------------------------------------------------------------------
    def preview_extras(self, parsed: Any, plan: Any) -> dict[str, Any]:
        """Return who is added (masked), what changes per person, rejected names, and the
        occupation words that are 待归类 or general labour."""
        extras = super().preview_extras(parsed, plan)
        names = Names()
        name_at = parsed.header.index.get("name")

        def row_name(row: Row) -> str:
            if row.has("name"):
                return row.get("name")
            cell = row.cells[name_at] if name_at is not None and name_at < len(row.cells) else ""
            return fold(cell)[:20]

        extras["additions"] = [
            {
                "row": row.number,
                "name": row.get("name", ""),
                "id": mask_id_number(row.get("id_number", "")),
                "poverty": choice_label(PovertyStatus.choices, row.get("poverty_status"))
                or str(PovertyStatus.NONE.label),
                "township": row.get("township").name if row.has("township") else "",
                "skill": row.get("skill_occupation").name_zh
                if row.has("skill_occupation")
                else (_("待归类：%(word)s") % {"word": row.get("skill_unclassified")})
                if row.get("skill_unclassified")
                else "",
            }
            for row in plan.creates[:PREVIEW_SAMPLES]
        ]
        extras["diffs"] = [
            {
                "row": update.row.number,
                "label": row_name(update.row),
                "fields": [
                    {
                        "field": parsed.header.source.get(key) or self.column(key).label
                        if key in self._column_keys
                        else key,
                        "old": self._shown(key, old, update.row, names),
                        "new": self._shown(key, new, update.row, names),
                    }
                    for key, (old, new) in update.changes.items()
                ],
            }
            for update in plan.updates[:PREVIEW_SAMPLES]
        ]
        extras["rejected_names"] = {str(row.number): row_name(row) for row in plan.rejected}
        extras["unclassified"] = [
            {"word": word, "count": len(rows), "rows": rows[:10]}
            for word, rows in sorted(self.unclassified_rows.items())
        ]
        extras["general_labour"] = [
            {"word": word, "count": len(rows)} for word, rows in sorted(self.general_rows.items())
        ]
        if self.unclassified_rows:
            extras["occupation_choices"] = [
                [o.pk, o.name_zh] for o in Occupation.objects.order_by("code")
            ]
        return extras

    @cached_property
    def _column_keys(self) -> set[str]:
        return {column.key for column in self.columns}

    def _shown(self, key: str, value: Any, row: Row, names: Names) -> str:
        """Return a stored or imported value as the preview shows it (phones masked)."""
        if value is None or value == "" or value == []:
            return str(_("（空）"))
        choices = {
            "poverty_status": PovertyStatus.choices,
            "education": Education.choices,
        }
        if key in choices:
            return choice_label(choices[key], value)
        if key == "phone":
            return mask_phone(value) if str(value).isdigit() else str(value)
        if key == "township":
            return names.region(value)
        if key == "village":
            code, name = value
            return names.region(code) if code else name
        if key == "labor_brand":
            return names.brand(value)
        if key == "intermediary":
            return self.intermediary_labels.get(value, str(value))
        if key == "wish_cities":
            return "、".join(names.region(code) for code in value)
        if key == "wish_occupations":
            return "、".join(names.occupation(pk) for pk in value)
        if key == "skill_occupation":
            level, years = value
            occupation = row.get("skill_occupation")
            return _("%(occupation)s：%(level)s，%(years)s 年") % {
                "occupation": occupation.name_zh if occupation else "",
                "level": choice_label(SkillLevel.choices, level),
                "years": years,
            }
        if key == "certificate_type":
            _number, issued, expires = value
            return _("发证 %(issued)s，有效期至 %(expires)s") % {
                "issued": issued.isoformat() if issued else "–",
                "expires": expires.isoformat() if expires else "–",
            }
        if isinstance(value, bool):
            return str(_("是")) if value else str(_("否"))
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def map_words(self, *, actor: User, choices: dict[str, str]) -> int:
        """Remember each word's occupation ("general" = general labour) for the county."""
        self.prepare()
        by_pk = {str(pk): pk for pk in Occupation.objects.values_list("pk", flat=True)}
        done = 0
        for word, choice in choices.items():
            if choice == "general":
                occupation_word_map(actor=actor, county=self.county, word=word, occupation=None)
            elif choice in by_pk:
                occupation = Occupation.objects.get(pk=by_pk[choice])
                occupation_word_map(
                    actor=actor, county=self.county, word=word, occupation=occupation
                )
            else:
                continue
            done += 1
        return done


@transaction.atomic
def occupation_word_map(
    *, actor: User, county: Region, word: str, occupation: Occupation | None
) -> int:
    """Remember what ``word`` means in ``county`` and apply it to the county's workers.

    Every worker of the county whose skill or wish was kept as this 待归类 word gets the
    occupation (or, for general labour, simply loses the word). Return how many changed.
    """
    word = fold(word)[:50]
    OccupationWordMapping.objects.update_or_create(
        county=county, word=word, defaults={"occupation": occupation, "created_by": actor}
    )
    audit_record(
        actor=actor,
        action="occupation_word.map",
        target=county,
        changes={"word": word, "occupation": occupation.code if occupation else None},
    )
    workers = list(
        Worker.objects.filter(home_county=county)
        .filter(Q(skill_unclassified=word) | Q(wishes_unclassified__contains=word))
        .select_for_update()
        .order_by("pk")
    )
    changed = []
    for worker in workers:
        changes: dict[str, list[Any]] = {}
        if worker.skill_unclassified == word:
            changes["skill_unclassified"] = [word, ""]
            worker.skill_unclassified = ""
            if occupation is not None:
                WorkerSkill.objects.get_or_create(worker=worker, occupation=occupation)
                changes["skill_occupation"] = [None, occupation.code]
        wishes = [w for w in worker.wishes_unclassified.split("、") if w]
        if word in wishes:
            rest = "、".join(w for w in wishes if w != word)
            changes["wishes_unclassified"] = [worker.wishes_unclassified, rest]
            worker.wishes_unclassified = rest
            if occupation is not None:
                links = WishOccupation.objects.filter(worker=worker)
                if not links.filter(occupation=occupation).exists():
                    rank = (links.aggregate(top=Max("rank"))["top"] or 0) + 1
                    WishOccupation.objects.create(worker=worker, occupation=occupation, rank=rank)
                    changes["wish_occupations"] = [None, occupation.code]
        if changes:
            worker.save(update_fields=["skill_unclassified", "wishes_unclassified", "updated_at"])
            changed.append((worker, changes))
    audit_record_bulk(
        actor=actor, action="worker.update", entries=changed, reason=_("工种写法归类")
    )
    return len(changed)
