"""Landmark phrases: "the X by Y", "X across from Y", "la tienda enfrente de la escuela". X is the place,
Y only says where it is: a school "by the park" is not the park, a taquería "across from Lincoln High" is
not the school.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .streets import name_like
from .words import KIND_WORDS, NOISE, Word

# Words that put a place beside another, longest first ("across the street from" before "across from").
_MARKERS: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(m.split())
            for m in (
                "across from", "across the street from", "across the st from", "accross from", "next to",
                "right next to", "behind", "in front of", "beside", "opposite", "close to", "by", "near",
                "around the corner from", "down the street from", "in back of",
                "cerca de", "cerca del", "cerquita de", "enfrente de", "enfrente del", "en frente de",
                "en frente del", "frente a", "frente al", "al lado de", "al lado del", "a lado de", "a un lado de",
                "junto a", "junto al", "atras de", "atras del", "detras de", "detras del", "al frente de",
                "a la vuelta de", "a un ladito de", "a un ladito del", "al ladito de", "al ladito del",
                "pegadito a", "pegadito al", "pegadita a", "pegadita al", "abajo de", "abajo del", "debajo de",
                "debajo del", "under", "underneath", "arriba de", "arriba del",
            )
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip


_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _marker in _MARKERS:
    _BY_FIRST.setdefault(_marker[0], []).append(_marker)


@dataclass(frozen=True, slots=True)
class Landmark:
    """Where a text splits into the place (`place`, the words before) and its landmark (`hint`)."""

    place: range
    marker: range
    hint: range


def landmark(ws: Sequence[Word]) -> Landmark | None:
    """The first marker with a place before it and something after it, or None. A place before the marker
    is a word that can name one (a kind word or a name), not who or what is there ("ICE by the park")."""
    for k in range(1, len(ws)):
        for marker in _BY_FIRST.get(ws[k].norm, ()):
            end = k + len(marker)
            if end >= len(ws) or tuple(w.norm for w in ws[k:end]) != marker:
                continue
            if any(ws[i].pause for i in range(k + 1, end + 1)):
                continue
            # A pause before the marker changes nothing: "Elm St & 3rd (by the library)", "Acme, next to Zeta".
            if not any(_place_word(w) for w in ws[:k]):
                continue
            last = end
            while last < len(ws) and not (last > end and ws[last].pause):
                last += 1
            return Landmark(range(0, k), range(k, end), range(end, last))
    return None


def _place_word(w: Word) -> bool:
    return w.norm in KIND_WORDS or (name_like(w) and w.norm not in NOISE)
