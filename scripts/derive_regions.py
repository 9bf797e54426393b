#!/usr/bin/env python3
"""Regenerate laborbridge/reference_data/regions.csv from the data shipped in the ``cpca`` package.

Usage (from the repository root, with ``cpca`` installed in the active environment)::

    pip install cpca==0.5.5
    python scripts/derive_regions.py            # writes regions.csv and region_code_changes.csv
    python scripts/derive_regions.py --cpca-csv path/to/adcodes.csv --out-dir some/dir

``cpca`` (MIT licence, https://github.com/DQinYuan/chinese_province_city_area_mapper) ships
``cpca/resources/adcodes.csv`` with columns ``adcode,name,longitude,latitude`` (12-digit codes;
the first six digits are the GB/T 2260 code).  Its snapshot is a mixture of roughly 2015–2019
divisions, so this script

1. keeps mainland provinces, prefecture-level units and county-level units only
   (Taiwan 71, Hong Kong 81 and Macao 82 are dropped);
2. drops placeholders (``市辖区``, ``县``, ``省直辖县级行政区划``, ``自治区直辖县级行政区划``);
3. applies the code changes in ``CHANGES`` / ``ABOLISHED`` / ``RENAMED`` / ``ADDED`` so that the
   set of codes equals the National Bureau of Statistics 2023 statistical division codes
   (2023年统计用区划代码, state on 2023-06-30) minus the NBS-only pseudo units
   (development zones etc., see the README); a new code inherits the coordinates of the
   predecessor named in the table;
4. builds the hierarchy: a county-level unit's parent is its prefecture (first four digits +
   ``00``) when that prefecture exists, otherwise its province (municipalities Beijing, Tianjin,
   Shanghai, Chongqing and the province-administered county-level units such as Xiantao 429004
   or Jiyuan 419001); a prefecture's parent is its province.

It also writes ``region_code_changes.csv`` (old code → current code) so that codes still found
in older records, e.g. the first six digits of a resident ID number issued in Jimo before 2017
(370282), can be mapped to today's unit.

Only the standard library is used; ``cpca`` is located without being imported (importing it
loads pandas and builds its matcher).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "laborbridge" / "reference_data"

PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
NON_MAINLAND_PROVINCES = {"71", "81", "82"}

# new_code, new_name, predecessor code in cpca (coordinates are taken from it)
CHANGES: list[tuple[str, str, str]] = [
    # --- Shandong (checked one by one) ---
    ("370114", "章丘区", "370181"),  # 章丘市 -> district of Jinan
    ("370115", "济阳区", "370125"),  # 济阳县 -> district
    ("370116", "莱芜区", "371202"),  # 莱芜市 abolished; 莱城区 -> 济南市莱芜区
    ("370117", "钢城区", "371203"),  # 莱芜市钢城区 -> 济南市钢城区
    ("370215", "即墨区", "370282"),  # 即墨市 -> district of Qingdao
    ("370614", "蓬莱区", "370684"),  # 蓬莱市 + 长岛县 -> 蓬莱区 (seat of old 蓬莱市)
    ("371503", "茌平区", "371523"),  # 茌平县 -> district of Liaocheng
    ("371681", "邹平市", "371626"),  # 邹平县 -> county-level city
    # --- Gansu (checked one by one) ---
    ("620881", "华亭市", "620824"),  # 华亭县 -> county-level city
    # --- other provinces (from the NBS 2023 list; predecessor = unit that held the seat) ---
    ("130181", "辛集市", "139002"),
    ("130284", "滦州市", "130223"),
    ("130407", "肥乡区", "130428"),
    ("130408", "永年区", "130429"),
    ("130505", "任泽区", "130526"),
    ("130506", "南和区", "130527"),
    ("130682", "定州市", "139001"),
    ("130881", "平泉市", "130823"),
    ("140213", "平城区", "140202"),
    ("140214", "云冈区", "140211"),
    ("140215", "云州区", "140227"),
    ("140403", "潞州区", "140402"),
    ("140404", "上党区", "140421"),
    ("140405", "屯留区", "140424"),
    ("140406", "潞城区", "140481"),
    ("140681", "怀仁市", "140624"),
    ("140703", "太谷区", "140726"),
    ("220184", "公主岭市", "220381"),
    ("230717", "伊美区", "230702"),
    ("230718", "乌翠区", "230711"),
    ("230719", "友好区", "230704"),
    ("230723", "汤旺县", "230712"),
    ("230724", "丰林县", "230707"),  # seat at the former 新青区
    ("230725", "大箐山县", "230713"),
    ("230726", "南岔县", "230703"),
    ("230751", "金林区", "230705"),
    ("231183", "嫩江市", "231121"),
    ("232701", "漠河市", "232723"),
    ("320613", "崇川区", "320602"),
    ("320614", "海门区", "320684"),
    ("320685", "海安市", "320621"),
    ("330112", "临安区", "330185"),
    ("330213", "奉化区", "330283"),
    ("331083", "玉环市", "331021"),
    ("340209", "弋江区", "340203"),
    ("340210", "湾沚区", "340221"),
    ("340212", "繁昌区", "340222"),
    ("340281", "无为市", "340225"),
    ("340882", "潜山市", "340824"),
    ("341882", "广德市", "341822"),
    ("350112", "长乐区", "350182"),
    ("350404", "三元区", "350403"),
    ("350405", "沙县区", "350427"),
    ("350604", "龙海区", "350681"),
    ("350605", "长泰区", "350625"),
    ("360404", "柴桑区", "360421"),
    ("360603", "余江区", "360622"),
    ("360704", "赣县区", "360721"),
    ("360783", "龙南市", "360727"),
    ("361003", "东乡区", "361029"),
    ("361104", "广信区", "361121"),
    ("410307", "偃师区", "410381"),
    ("410308", "孟津区", "410322"),
    ("410783", "长垣市", "410728"),
    ("411003", "建安区", "411023"),
    ("411603", "淮阳区", "411626"),
    ("420882", "京山市", "420821"),
    ("421088", "监利市", "421023"),
    ("430182", "宁乡市", "430124"),
    ("430212", "渌口区", "430221"),
    ("430582", "邵东市", "430521"),
    ("431181", "祁阳市", "431121"),
    ("450181", "横州市", "450127"),
    ("450381", "荔浦市", "450331"),
    ("451003", "田阳区", "451021"),
    ("451082", "平果市", "451023"),
    ("451203", "宜州区", "451281"),
    ("500155", "梁平区", "500228"),
    ("500156", "武隆区", "500232"),
    ("510117", "郫都区", "510124"),
    ("510118", "新津区", "510132"),
    ("510604", "罗江区", "510626"),
    ("510981", "射洪市", "510922"),
    ("511083", "隆昌市", "511028"),
    ("511504", "叙州区", "511521"),
    ("513402", "会理市", "513425"),
    ("520204", "水城区", "520221"),
    ("520281", "盘州市", "520222"),
    ("520581", "黔西市", "520522"),
    ("522302", "兴仁市", "522322"),
    ("530115", "晋宁区", "530122"),
    ("530304", "马龙区", "530321"),
    ("530481", "澄江市", "530422"),
    ("530681", "水富市", "530630"),
    ("532302", "禄丰市", "532331"),
    ("540104", "达孜区", "540126"),
    ("540481", "米林市", "540422"),
    ("540581", "错那市", "540530"),
    ("540600", "那曲市", "542400"),
    ("540602", "色尼区", "542421"),
    ("540621", "嘉黎县", "542422"),
    ("540622", "比如县", "542423"),
    ("540623", "聂荣县", "542424"),
    ("540624", "安多县", "542425"),
    ("540625", "申扎县", "542426"),
    ("540626", "索县", "542427"),
    ("540627", "班戈县", "542428"),
    ("540628", "巴青县", "542429"),
    ("540629", "尼玛县", "542430"),
    ("540630", "双湖县", "542431"),
    ("610118", "鄠邑区", "610125"),
    ("610305", "凤翔区", "610322"),
    ("610482", "彬州市", "610427"),
    ("610681", "子长市", "610623"),
    ("610703", "南郑区", "610721"),
    ("610881", "神木市", "610821"),
    ("610981", "旬阳市", "610928"),
    ("630106", "湟中区", "630122"),
    ("632301", "同仁市", "632321"),
    ("652902", "库车市", "652923"),
    ("654203", "沙湾市", "654223"),
]

# same code, new name
RENAMED: dict[str, str] = {
    "130502": "襄都区",  # was 桥东区 (Xingtai)
    "130503": "信都区",  # was 桥西区 (Xingtai)
}

# abolished without a same-seat successor: old code -> (current code that took over, or "")
ABOLISHED: dict[str, str] = {
    "370634": "370614",  # 长岛县 -> 蓬莱区
    "371200": "370100",  # 莱芜市 (prefecture) -> 济南市
    "130421": "",  # 邯郸县, split between Handan's districts
    "130521": "",  # 邢台县, split between Xingtai's districts
    "140203": "140214",  # 大同 矿区 -> 云冈区
    "140411": "140403",  # 长治 郊区 -> 潞州区
    "230706": "230718",  # 翠峦区 -> 乌翠区
    "230708": "230717",  # 美溪区 -> 伊美区
    "230709": "230751",  # 金山屯区 -> 金林区
    "230710": "230724",  # 五营区 -> 丰林县
    "230714": "230723",  # 乌伊岭区 -> 汤旺县
    "230715": "230724",  # 红星区 -> 丰林县
    "230716": "230719",  # 上甘岭区 -> 友好区
    "320611": "320613",  # 港闸区 -> 崇川区
    "330103": "",  # 下城区 (Hangzhou, 2021)
    "330104": "",  # 江干区 (Hangzhou, 2021)
    "330204": "330212",  # 江东区 -> 鄞州区
    "340208": "340209",  # 三山区 -> 弋江区
    "350402": "350404",  # 梅列区 -> 三元区
    "360105": "360112",  # 湾里区 -> 新建区
    "410211": "410202",  # 金明区 -> 龙亭区
    "410306": "410308",  # 吉利区 -> 孟津区
}

# real current units with no usable predecessor row in cpca: code -> (name, lat, lng)
# lat/lng None = left blank rather than guessed.
ADDED: dict[str, tuple[str, str | None, str | None]] = {
    "330113": ("临平区", None, None),
    "330114": ("钱塘区", None, None),
    "330383": ("龙港市", None, None),
    "360113": ("红谷滩区", None, None),
    "440309": ("龙华区", None, None),
    "440310": ("坪山区", None, None),
    "440311": ("光明区", None, None),
    "632803": ("茫崖市", None, None),
    "659005": ("北屯市", None, None),
    "659007": ("双河市", None, None),
    "659008": ("可克达拉市", None, None),
    "659009": ("昆玉市", None, None),
    "659010": ("胡杨河市", None, None),
    "659011": ("新星市", None, None),
    "659012": ("白杨市", None, None),
}

# coordinates cpca lacks for units it does list (approximate city centres, hand-added)
HAND_COORDS: dict[str, tuple[str, str]] = {
    "130181": ("37.9434", "115.2178"),  # 辛集市 (cpca 139002 has no coordinates)
    "130682": ("38.5162", "114.9903"),  # 定州市 (cpca 139001 has no coordinates)
    "320812": ("33.551052", "119.113185"),  # 清江浦区: seat of 淮安市, cpca's 淮安市 point
}


def find_cpca_csv() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("cpca is not installed: pip install cpca==0.5.5 (or pass --cpca-csv)")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    if not path.is_file():
        sys.exit(f"adcodes.csv not found inside the cpca package ({path.name})")
    return path


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def derive(cpca_csv: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    raw: dict[str, dict[str, str]] = {}
    with cpca_csv.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            raw[code] = {
                "name": row["name"].strip(),
                "lat": row["latitude"].strip(),
                "lng": row["longitude"].strip(),
            }

    units: dict[str, dict[str, str]] = {}
    for code, r in raw.items():
        if code[:2] in NON_MAINLAND_PROVINCES or r["name"] in PLACEHOLDER_NAMES:
            continue
        units[code] = dict(r)

    changes: list[dict[str, str]] = []
    predecessors = {old for _, _, old in CHANGES}
    for new_code, new_name, old in CHANGES:
        if old not in raw:
            sys.exit(f"predecessor {old} of {new_code} missing from cpca data")
        src = raw[old]
        units[new_code] = {"name": new_name, "lat": src["lat"], "lng": src["lng"]}
        changes.append(
            {
                "old_code": old,
                "old_name": src["name"],
                "new_code": new_code,
                "new_name": new_name,
                "kind": "recoded",
            }
        )
    for old in predecessors:
        if old not in {c for c, _, _ in CHANGES}:
            units.pop(old, None)
    for code, new_name in RENAMED.items():
        changes.append(
            {
                "old_code": code,
                "old_name": units[code]["name"],
                "new_code": code,
                "new_name": new_name,
                "kind": "renamed",
            }
        )
        units[code]["name"] = new_name
    for old, successor in ABOLISHED.items():
        old_name = raw[old]["name"]
        units.pop(old, None)
        changes.append(
            {
                "old_code": old,
                "old_name": old_name,
                "new_code": successor,
                "new_name": units[successor]["name"] if successor else "",
                "kind": "merged" if successor else "split",
            }
        )
    for code, (name, lat, lng) in ADDED.items():
        if code in units:
            sys.exit(f"{code} already present; remove it from ADDED")
        units[code] = {"name": name, "lat": lat or "", "lng": lng or ""}
    for code, (lat, lng) in HAND_COORDS.items():
        units[code]["lat"], units[code]["lng"] = lat, lng

    rows: list[dict[str, str]] = []
    for code in sorted(units):
        u = units[code]
        level = level_of(code)
        if level == "province":
            parent = ""
        elif level == "city":
            parent = code[:2] + "0000"
        else:
            city = code[:4] + "00"
            parent = city if city in units else code[:2] + "0000"
        if parent and parent not in units:
            sys.exit(f"{code} {u['name']}: parent {parent} missing")
        rows.append(
            {
                "code": code,
                "name": u["name"],
                "level": level,
                "parent_code": parent,
                "lat": u["lat"],
                "lng": u["lng"],
            }
        )
    changes.sort(key=lambda c: (c["old_code"], c["new_code"]))
    return rows, changes


def write_csv(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cpca-csv", type=Path, help="path to cpca's adcodes.csv")
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = ap.parse_args(argv)

    rows, changes = derive(args.cpca_csv or find_cpca_csv())
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(
        args.out_dir / "regions.csv", ["code", "name", "level", "parent_code", "lat", "lng"], rows
    )
    write_csv(
        args.out_dir / "region_code_changes.csv",
        ["old_code", "old_name", "new_code", "new_name", "kind"],
        changes,
    )
    counts = {lvl: sum(r["level"] == lvl for r in rows) for lvl in ("province", "city", "county")}
    print(f"regions.csv: {len(rows)} rows {counts}; region_code_changes.csv: {len(changes)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
