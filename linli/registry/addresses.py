"""Addresses as people type them: "3号楼二单元楼道灯坏了" names 阳光花园 3栋 2单元. Used to
suggest the place of a finding from its text and to say when the place chosen disagrees.

A place's ``address`` runs from the compound down ("阳光花园 3栋 2单元"). Typed text is brought to
the same spelling (``normalise``): no spaces, half-width digits, small Chinese numerals as digits
before 栋/单元/号/楼/层/室, and 号楼/幢/号 for a building as 栋.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from linli.registry.models import Place, PlaceKind

_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN_NUMBER = re.compile(r"([一二两三四五六七八九十]{1,3})(?=(栋|幢|号楼|号|单元|楼|层|室))")
_BUILDING = re.compile(r"(\d+)(?:号楼|幢|栋|号(?!室))")


def _cn_to_int(s: str) -> int:
    if s == "十":
        return 10
    if "十" in s:
        tens, _sep, ones = s.partition("十")
        return _NUMERALS.get(tens, 1) * 10 + _NUMERALS.get(ones, 0)
    value = 0
    for ch in s:
        value = value * 10 + _NUMERALS[ch]
    return value


def normalise(text: str) -> str:
    # Twice: NFKC can turn a sign into a space and a combining mark ("¯"), which joins the letter
    # before it once the space is gone.
    for _pass in range(2):
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    text = _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(1))), text)
    return _BUILDING.sub(lambda m: f"{m.group(1)}栋", text)


def _keys(place: Place, home_compound_path: str | None) -> list[str]:
    full = normalise(place.address or place.name)
    keys = [full]
    parts = (place.address or "").split(" ", 1)
    # Inside the compound being patrolled, "3栋2单元" alone names the place.
    if home_compound_path and place.kind != PlaceKind.COMPOUND and len(parts) == 2 and place.path.startswith(home_compound_path):
        keys.append(normalise(parts[1]))
    return [k for k in keys if k]


def place_named_in(text: str, candidates: Iterable[Place], *, home_compound_path: str | None = None) -> Place | None:
    """The most precise candidate the text names (the longest spelling found, a building number
    not read inside a longer one: "13栋" is not "3栋"), or None."""
    typed = normalise(text)
    best, best_len = None, 0
    for place in candidates:
        for key in _keys(place, home_compound_path):
            if len(key) > best_len and re.search(r"(?<!\d)" + re.escape(key), typed):
                best, best_len = place, len(key)
    return best


def agree(chosen: Place, named: Place | None) -> bool:
    """A chosen place agrees with the one the text names when one holds the other."""
    return named is None or chosen.path.startswith(named.path) or named.path.startswith(chosen.path)
