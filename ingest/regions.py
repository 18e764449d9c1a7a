"""Where a rule applies: province, city and district, read from titles, folders and questions.

The names and their nesting come from the national administrative division codes (adcodes) that
the `cpca` package ships as a data file; we read that file only (cpca's own module needs
pkg_resources, pandas and a C extension for what a dictionary lookup does here).
A local regulation of 杭州市 reads as 浙江省杭州市, one of 海淀区 as 北京市海淀区; a question
that names 杭州 is covered by national law, by 浙江省's rules and by 杭州市's, not by 宁波市's.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_PROVINCE_SUFFIX = re.compile(r"(?:维吾尔|壮族|回族)?自治区$|特别行政区$|省$|市$")
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


@dataclass(frozen=True)
class Place:
    province: str  # full names: 浙江省, 北京市, 新疆维吾尔自治区
    city: str = ""  # 杭州市 ("" for a municipality's districts and for province-wide rules)
    district: str = ""  # 海淀区, 忠县

    @property
    def name(self) -> str:
        return self.province + self.city + self.district

    def covers(self, other: Place) -> bool:
        """A rule of this place applies in `other` (the same place or one inside it)."""
        return (
            self.province == other.province
            and (not self.city or self.city == other.city)
            and (not self.district or self.district == other.district)
        )


@dataclass(frozen=True)
class _Areas:
    by_name: dict[str, list[Place]]  # every full and short form → the places it may mean
    pattern: re.Pattern  # longest names first


def _adcodes() -> list[tuple[str, str]]:
    spec = importlib.util.find_spec("cpca")  # locate the data file without importing cpca
    if spec is None or not spec.submodule_search_locations:
        return []
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    rows = path.read_text("utf-8").splitlines()[1:]
    return [(code, name) for code, name, *_ in (row.split(",") for row in rows) if len(code) == 12]


def _short(name: str, level: str) -> str:
    if level == "province":
        return _PROVINCE_SUFFIX.sub("", name)
    if level == "city" and name.endswith("市") and len(name) >= 3:
        return name[:-1]
    return name


@functools.cache
def _areas() -> _Areas:
    codes = _adcodes()
    names = {code: name for code, name in codes}
    by_name: dict[str, list[Place]] = {}

    def add(place: Place, name: str, level: str) -> None:
        for form in {name, _short(name, level)}:
            if len(form) >= 2 and place not in by_name.setdefault(form, []):
                by_name[form].append(place)

    for code, name in codes:
        province = names.get(code[:2] + "0" * 10, "")
        if not province:
            continue
        if code[2:] == "0" * 10:
            add(Place(province), name, "province")
        elif code[4:] == "0" * 8:
            add(Place(province, "" if province in MUNICIPALITIES else name), name, "city")
        elif code[6:] == "0" * 6:
            city = "" if province in MUNICIPALITIES else names.get(code[:4] + "0" * 8, "")
            add(Place(province, city, name), name, "district")
    ordered = sorted(by_name, key=len, reverse=True)
    return _Areas(by_name, re.compile("|".join(map(re.escape, ordered)) if ordered else r"(?!)"))


def _resolve(names: list[str]) -> Place | None:
    """The most specific place a run of names at the start of a title (北京市 海淀区) consistently means."""
    place: Place | None = None
    for name in names:
        options = _areas().by_name.get(name, [])
        if place is not None:
            options = [o for o in options if o.province == place.province]
        if len(options) != 1:
            continue  # ambiguous (朝阳: a city in 辽宁, a district in 北京) or unknown
        option = options[0]
        if place is None or option.city or option.district:
            city = option.city or (place.city if place else "")
            place = Place(option.province, city, option.district)
    return place


def document_place(title: str, source: str = "") -> Place | None:
    """Where a document applies, from its title's opening words, else a province-named folder; None: national."""
    bare = title.removeprefix("中华人民共和国")
    names = []
    position = 0
    while (match := _areas().pattern.match(bare, position)) is not None:
        names.append(match.group())
        position = match.end()
    place = _resolve(names) if names else None
    if place is not None:
        return place
    for folder in PurePosixPath(source).parts[:-1]:
        options = _areas().by_name.get(folder, [])
        if len(options) == 1 and not options[0].city and not options[0].district:
            return options[0]
    return None


def mentions(text: str) -> list[tuple[int, int, Place]]:
    """(start, end, place) for each place a text names (北京, 杭州市, 海淀区); shared names are left out."""
    found = []
    for match in _areas().pattern.finditer(text):
        options = _areas().by_name[match.group()]
        if len(options) == 1:
            found.append((match.start(), match.end(), options[0]))
    return found


def places_in(text: str) -> list[Place]:
    return list(dict.fromkeys(place for _, _, place in mentions(text)))


def applies_in(region: str, asked: list[Place]) -> bool:
    """A document of `region` ("" = national) applies to a question about the `asked` places."""
    place = parse(region)
    return place is None or any(place.covers(a) for a in asked)


@functools.lru_cache(maxsize=4096)
def parse(region: str) -> Place | None:
    """A stored region name (浙江省杭州市, 上海市, or the bare 上海 of older indexes) back to its place."""
    return document_place(region) if region else None
