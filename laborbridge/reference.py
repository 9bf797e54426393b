"""Load the shipped reference data (``laborbridge/reference_data/``) into the database.

Idempotent: rows are upserted by their natural code, so running it again after a data
update changes what changed and nothing else. Sources and licences are in that folder's
README.
"""

import csv
import functools
import json
import unicodedata
from pathlib import Path

from django.db import transaction

from laborbridge.models import (
    Campaign,
    CertificateType,
    LaborBrand,
    MinimumWage,
    Occupation,
    OccupationGroup,
    Pairing,
    Region,
    Station,
)

DATA_DIR = Path(__file__).resolve().parent / "reference_data"
_LEVEL_ORDER = {"province": 0, "city": 1, "county": 2, "township": 3, "village": 4}
# One statement per 1,000 rows keeps SQLite under its variable limit; ~3,600 regions load in
# well under a second on either database.
_REGION_BATCH = 1000


def _float(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


def _read_regions(data_dir: Path) -> list[dict]:
    rows = []
    for filename in ("regions.csv", "townships.csv"):
        path = data_dir / filename
        if not path.exists():
            if filename == "regions.csv":
                raise FileNotFoundError(path)
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    rows.sort(key=lambda row: (_LEVEL_ORDER[row["level"]], row["code"]))
    return rows


def _load_regions(data_dir: Path) -> int:
    rows = _read_regions(data_dir)
    names: dict[str, str] = {}
    full: dict[str, str] = {}
    regions = []
    for row in rows:
        code, parent = row["code"], row["parent_code"] or None
        names[code] = row["name"]
        # Full names read like an address: 甘肃省定西市通渭县平襄镇.
        full[code] = (full.get(parent, "") if parent else "") + row["name"]
        regions.append(
            Region(
                code=code,
                name=row["name"],
                full_name=full[code],
                level=row["level"],
                parent_id=parent,
                latitude=_float(row["lat"]),
                longitude=_float(row["lng"]),
            )
        )
    Region.objects.bulk_create(
        regions,
        batch_size=_REGION_BATCH,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "full_name", "level", "parent", "latitude", "longitude"],
    )
    return len(regions)


def _json(data_dir: Path, name: str):
    with (data_dir / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def _named(model, item: dict, *, code: str | None = None, **fields):
    """Create or update the ``model`` row of ``item``'s code (or ``code``) with its Chinese
    and English names and ``fields``; return the row."""
    row, _created = model.objects.update_or_create(
        code=item["code"] if code is None else code,
        defaults={"name_zh": item["name_zh"], "name_en": item.get("name_en", ""), **fields},
    )
    return row


def _load_occupations(data_dir: Path) -> int:
    data = _json(data_dir, "occupations.json")
    groups = {}
    for group in data["major_groups"]:
        code = str(group["code"])
        groups[code] = _named(OccupationGroup, group, code=code)
    occupations = {}
    for item in data["occupations"]:
        occupations[item["code"]] = _named(
            Occupation,
            item,
            group=groups[str(item["major_group"])],
            code_verified=item.get("code_verified", True),
        )
    for item in data["occupations"]:
        occupations[item["code"]].related.set(
            [occupations[code] for code in item.get("related", []) if code in occupations]
        )
    return len(occupations)


def _load_certificates(data_dir: Path) -> int:
    items = _json(data_dir, "certificate_types.json")
    for item in items:
        certificate = _named(
            CertificateType,
            item,
            issuer_kind=item.get("issuer_kind", ""),
            levels=item.get("levels", []),
        )
        certificate.occupations.set(
            Occupation.objects.filter(code__in=item.get("occupation_codes", []))
        )
    return len(items)


def _load_brands(data_dir: Path) -> int:
    items = _json(data_dir, "labor_brands.json")
    for item in items:
        brand = _named(
            LaborBrand,
            item,
            region_id=item["region_code"],
            description=item.get("description_zh", ""),
        )
        brand.occupations.set(Occupation.objects.filter(code__in=item.get("occupation_codes", [])))
    return len(items)


def _load_pairings(data_dir: Path) -> int:
    items = _json(data_dir, "pairings.json")
    for item in items:
        _named(
            Pairing,
            item,
            east_region_id=item["east_region_code"],
            west_region_id=item["west_region_code"],
            since=item.get("since") or None,
            note=item.get("source_note", ""),
        )
    return len(items)


def _load_campaigns(data_dir: Path) -> int:
    items = _json(data_dir, "campaigns.json")
    for item in items:
        _named(
            Campaign,
            item,
            pairing=Pairing.objects.get(code=item["pairing_code"]),
            starts_on=item["starts_on"],
            ends_on=item["ends_on"],
        )
    return len(items)


def _load_stations(data_dir: Path) -> int:
    items = _json(data_dir, "stations.json")
    for item in items:
        _named(
            Station,
            item,
            kind=item["kind"],
            region_id=item["region_code"],
            latitude=item.get("lat"),
            longitude=item.get("lng"),
        )
    return len(items)


def _load_minimum_wages(data_dir: Path) -> int:
    if not (data_dir / "minimum_wages.json").exists():
        return 0
    count = 0
    for standard in _json(data_dir, "minimum_wages.json"):
        for tier in standard["tiers"]:
            for code in tier["region_codes"]:
                MinimumWage.objects.update_or_create(
                    region_id=code,
                    effective_from=standard["effective_from"],
                    defaults={
                        "tier": tier["tier"],
                        "monthly": tier["monthly"],
                        "hourly": tier["hourly"],
                        "source": standard["source"],
                        "verified": standard.get("verified", False),
                    },
                )
                count += 1
    return count


@transaction.atomic
def reference_load(*, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Upsert every reference table from ``data_dir``; return the row count of each."""
    return {
        "regions": _load_regions(data_dir),
        "occupations": _load_occupations(data_dir),
        "certificate_types": _load_certificates(data_dir),
        "labor_brands": _load_brands(data_dir),
        "pairings": _load_pairings(data_dir),
        "campaigns": _load_campaigns(data_dir),
        "stations": _load_stations(data_dir),
        "minimum_wages": _load_minimum_wages(data_dir),
    }


@functools.cache
def occupation_aliases(data_dir: Path = DATA_DIR) -> dict[str, str | None]:
    """Return colloquial occupation word → occupation code (None: general labour, no trade).

    Read from ``occupation_aliases.json`` (its ``source`` says where the words come from);
    words are folded like importer cells (NFKC, no spaces, lower case).
    """
    path = data_dir / "occupation_aliases.json"
    if not path.exists():
        return {}
    aliases: dict[str, str | None] = {}
    for item in _json(data_dir, "occupation_aliases.json")["aliases"]:
        word = unicodedata.normalize("NFKC", item["alias"]).replace(" ", "").lower()
        aliases[word] = item["occupation_code"]
    return aliases
