"""A home's number or letter in a report ("house 45", "apt 3B", "lote 12"): a home is shown only as its
block, or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .words import (
    LOCATIVES,
    NOISE,
    ON_WORDS,
    Word,
    house_at,
    is_ordinal,
    tokens,
)

# Words that make the number or letter after them a home's: "house 45", "apt 3B", "lote 12", "trailer B",
# "cuarto 4", "#12". A home is shown only as its block, or not at all.
# Of these, the words for where a person lives: "Maria Gonzalez house", "la casa de los Chávez".
DWELLINGS = frozenset(
    {"house", "home", "casa", "casita", "ksa", "apt", "apartment", "apartamento", "apto", "depto", "dept",
     "departamento", "depa", "trailer", "traila", "trailor", "room", "cuarto", "condo", "townhouse", "cabin"}
)  # fmt: skip
HOME_WORDS = DWELLINGS | frozenset(
    {"unit", "unidad", "lot", "lote", "suite", "space", "espacio", "bldg", "building", "edificio", "piso", "floor",
     "fl", "num", "numero", "nro", "#"}
)  # fmt: skip
# Of these, those whose number is the house's number on its street: "house 45 on Elm St" is 45 Elm St.
_HOUSE_NUMBER_WORDS = frozenset({"house", "home", "casa", "num", "numero", "nro", "#"})
NUMBER_SIGNS = frozenset({"#", "no", "num", "numero", "nro"})  # "casa no. 5", "apt #4"
_STOREYS = frozenset({"floor", "fl", "flr", "piso", "planta", "house", "casa", "door", "puerta"})  # "2nd floor"
_NOT_UNITS = frozenset("aeiouyxn")  # one letter that is a word or a connector ("casa y 26"), not "unit B"
_UNIT = re.compile(r"\d{1,6}[a-z]{0,2}|[a-z]\d{0,4}")


@dataclass(frozen=True, slots=True)
class HomeMark:
    """A home's number or letter in the text ("apt 3B"): `number` is the house number it may give."""

    marker: int  # index of the home word
    unit: int  # index of the number or letter
    number: int | None  # the house number on its street, for "house 45", "casa 12", "#45"


def home_marks(ws: Sequence[Word]) -> list[HomeMark]:
    """Where the words give a home's number or letter: "house 45", "apt. 3-B", "lote #7", "trailer B".
    A count after it is no home ("lot 5 agents", "casa 3 carros"), nor is a parking lot."""
    found: list[HomeMark] = []
    for i, w in enumerate(ws):
        if is_ordinal(w.norm) and i + 1 < len(ws) and ws[i + 1].norm in _STOREYS and not ws[i + 1].pause:
            found.append(HomeMark(i + 1, i, None))  # "2nd floor", "4to piso", "5th house from the corner"
            continue
        if not home_word(w) or (i and ws[i - 1].norm in {"parking", "estacionamiento"}):
            continue
        j = i + 1
        while j < len(ws) and ws[j].norm in NUMBER_SIGNS and w.norm != ws[j].norm and not ws[j].pause:
            j += 1
        if j >= len(ws) or ws[j].pause or not _is_unit(ws, j):
            continue
        after = ws[j + 1] if j + 1 < len(ws) else None
        if after is not None and not after.pause and after.norm in NOISE and after.norm not in LOCATIVES | ON_WORDS:
            continue  # "lot 5 agents": a count
        digits = re.match(r"\d+", ws[j].norm)
        number = int(digits.group()) if digits and w.norm in _HOUSE_NUMBER_WORDS else None
        if number is not None and ws[j].norm.isdigit():
            number = house_at(ws, j)[0]  # "casa 40-12": house 12 past 40th, on the 4000 block
        found.append(HomeMark(i, j, number))
    return found


def home_word(w: Word) -> bool:
    """A word of `HOME_WORDS`, even one read as something else ("cuarto" is also the ordinal 4th)."""
    return w.norm in HOME_WORDS or (is_ordinal(w.norm) and tokens(w.typed)[:1] == ["cuarto"])


def _is_unit(ws: Sequence[Word], j: int) -> bool:
    w = ws[j]
    if not _UNIT.fullmatch(w.norm) or is_ordinal(w.norm):
        return False
    if w.norm.isalpha():  # one letter: "unit B", "trailer b," but not "casa y 26"
        ends = j + 1 >= len(ws) or ws[j + 1].pause
        return w.norm not in _NOT_UNITS and (w.typed.isupper() or ends)
    return True
