"""The shipped reference data is real, complete to county level and loads idempotently."""

import csv
import json

import pytest

from laborbridge.models import (
    Campaign,
    CertificateType,
    LaborBrand,
    Occupation,
    Pairing,
    Region,
    Station,
)
from laborbridge.reference import DATA_DIR, reference_load

pytestmark = pytest.mark.django_db

# Bounding boxes of the two provinces (degrees), generous by a few tenths.
BOXES = {"62": ((32.3, 43.0), (92.0, 108.9)), "37": ((34.2, 38.6), (114.6, 122.9))}


@pytest.mark.parametrize("province", ["62", "37"])
def test_every_county_of_gansu_and_shandong_has_a_code_and_coordinates(province):
    counties = Region.objects.filter(level="county", code__startswith=province)
    (lat_lo, lat_hi), (lng_lo, lng_hi) = BOXES[province]
    # Gansu has 86 county-level divisions and Shandong 136 (2020s GB/T 2260).
    assert counties.count() == {"62": 86, "37": 136}[province]
    for county in counties:
        assert len(county.code) == 6
        assert lat_lo <= county.latitude <= lat_hi and lng_lo <= county.longitude <= lng_hi, county


def test_the_whole_mainland_is_there():
    provinces = Region.objects.filter(level="province")
    assert provinces.count() >= 31
    assert Region.objects.filter(level="county").count() > 2800


@pytest.mark.parametrize(
    "code,name",
    [
        ("621121", "通渭县"),
        ("621102", "安定区"),
        ("621126", "岷县"),
        ("622901", "临夏市"),
        ("370281", "胶州市"),
        ("370103", "市中区"),
        ("370211", "黄岛区"),
        ("370200", "青岛市"),
        ("621100", "定西市"),
    ],
)
def test_named_regions_of_the_seeds(code, name):
    assert Region.objects.get(pk=code).name == name


def test_hierarchy_follows_the_code_prefixes():
    tongwei = Region.objects.get(pk="621121")
    assert tongwei.parent_id == "621100" and tongwei.parent.parent_id == "620000"
    assert tongwei.full_name == "甘肃省定西市通渭县"
    assert Region.objects.get(pk="621100").contains(tongwei)
    assert not Region.objects.get(pk="370200").contains(tongwei)


def test_dingxi_townships_are_loaded_under_their_counties():
    townships = Region.objects.filter(level="township", parent_id="621121")
    assert townships.count() >= 15
    assert all(t.code.startswith("621121") and len(t.code) == 9 for t in townships)


def test_pairings_of_the_seeds():
    pairs = set(Pairing.objects.values_list("east_region_id", "west_region_id"))
    assert {
        ("370000", "620000"),
        ("370200", "621100"),
        ("370281", "621121"),
        ("370103", "622901"),
    } <= pairs


def test_occupation_taxonomy_is_large_and_linked():
    assert Occupation.objects.count() >= 150
    assert Occupation.objects.values("group").distinct().count() >= 3
    welder = Occupation.objects.filter(name_zh__contains="焊").first()
    assert welder is not None and welder.related.exists()
    for code in Occupation.objects.values_list("code", flat=True):
        assert code[0] in "12345678"


def test_certificates_brands_campaigns_stations():
    assert CertificateType.objects.filter(name_zh__contains="叉车").exists()
    assert CertificateType.objects.filter(name_zh__contains="电工").exists()
    for brand in ["岷归药工", "河州新花农", "兰州拉面"]:
        assert LaborBrand.objects.filter(name_zh__contains=brand).exists(), brand
    assert LaborBrand.objects.get(name_zh__contains="岷归").region_id.startswith("621126")
    assert Campaign.objects.filter(
        pairing__east_region_id="370200", pairing__west_region_id="621100"
    ).exists()
    for station in ["定西北", "青岛北"]:
        assert Station.objects.filter(name_zh__contains=station).exists()


def test_loading_again_changes_nothing():
    before = {
        model: model.objects.count()
        for model in (Region, Occupation, Pairing, Campaign, LaborBrand)
    }
    reference_load()
    assert before == {model: model.objects.count() for model in before}


def test_data_files_reference_only_existing_codes():
    with (DATA_DIR / "regions.csv").open(encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    occupations = json.loads((DATA_DIR / "occupations.json").read_text(encoding="utf-8"))[
        "occupations"
    ]
    occupation_codes = {o["code"] for o in occupations}
    assert len(occupation_codes) == len(occupations), "duplicate occupation codes"
    for item in occupations:
        assert set(item.get("related", [])) <= occupation_codes, item["code"]
    for pairing in json.loads((DATA_DIR / "pairings.json").read_text(encoding="utf-8")):
        assert pairing["east_region_code"] in codes and pairing["west_region_code"] in codes
