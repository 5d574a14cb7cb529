"""Place words: normalisation, look-alike folding, and the vocabulary people use for places and streets.

Reporters type places on phones, in two languages, with typos: "la escuela Hamline", "Hamline Elem",
"26th St and Pulaski Rd", "pulaski/26". This module holds the words: `tokens()` folds case, accents,
punctuation, look-alike letters from other scripts, street suffixes and directions, ordinals ("48th" ->
"48") and kind words ("escuela", "elementary" -> "school"); `words()` splits a whole hurried message
into typed words with the pauses between them, for the reader (`intake.place.reading`) to find the place in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

# Letters from other scripts that render like Latin ones; folded so "Hаmline" (Cyrillic а) is Hamline.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
        "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J",
        # Greek
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "υ": "u",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip

# Kind words, by class: two places of different kinds are never the same place ("Whittier Elementary"
# is not "Whittier Park"), and a kind word alone never identifies a place.
KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ["school", "schools", "elementary", "elem", "primary", "academy", "acad", "escuela", "colegio", "high",
         "hs", "middle", "preschool", "prek", "kindergarten", "kinder", "prepa", "preparatoria", "secundaria",
         "primaria", "elementaria", "charter", "escuelita", "elementry", "elementar", "intermedia",
         "intermediate"],
        "school",
    ),
    **dict.fromkeys(
        ["church", "iglesia", "parish", "parroquia", "mosque", "mezquita", "temple", "templo",
         "synagogue", "sinagoga", "cathedral", "catedral", "chapel", "capilla", "ministerio"],
        "worship",
    ),
    **dict.fromkeys(
        ["hospital", "clinic", "clinica", "medical", "er", "emergency", "hosp", "urgencias", "salud", "health"],
        "hospital",
    ),
    **dict.fromkeys(["court", "courthouse", "corte", "tribunal", "juzgado", "courts"], "court"),
    **dict.fromkeys(["park", "parque", "playground", "field", "parquecito", "pk", "prk"], "park"),
    **dict.fromkeys(
        ["store", "tienda", "market", "mercado", "supermarket", "supermercado", "super", "shop", "grocery",
         "bodega", "carniceria", "panaderia", "abarrotes", "mall", "tiendita", "mercadito", "pulga",
         "fleamarket", "swapmeet", "dollar", "pharmacy", "farmacia", "depot", "bakery", "butcher", "mart"],
        "store",
    ),
    **dict.fromkeys(["restaurant", "restaurante", "taqueria", "cafe", "diner", "fonda", "pizzeria"], "restaurant"),
    **dict.fromkeys(["carwash", "lavado", "autolavado", "lavacarros"], "carwash"),
    **dict.fromkeys(
        ["llantera", "llanteria", "tireshop", "autoshop", "bodyshop", "taller", "mecanico", "mechanic"], "auto"
    ),
    **dict.fromkeys(["laundromat", "lavanderia", "laundry"], "laundry"),
    **dict.fromkeys(
        ["factory", "fabrica", "warehouse", "plant", "almacen", "construction", "construccion", "obra", "jobsite",
         "yard"],
        "workplace",
    ),
    # Where many people live: a building or a complex, not one person's home ("apt 3B", "casa de Juan").
    **dict.fromkeys(
        ["apartments", "apts", "apartamentos", "departamentos", "complex", "condos", "projects", "viviendas",
         "houses"],
        "housing",
    ),
    **dict.fromkeys(
        ["station", "estacion", "parada", "terminal", "metro", "transitcenter", "train", "tren"], "station"
    ),
    # A gas station is a business, never a transit stop: "47th/Pulaski gas station" is no train station.
    **dict.fromkeys(["gasstation", "gasolinera", "gasolineria"], "gas"),
}  # fmt: skip

# School levels: "Kelly High" is not "Kelly Elementary" when both are named.
LEVEL_WORDS: dict[str, str] = {
    **dict.fromkeys(["elementary", "elem", "primary", "primaria", "elementaria", "elementry", "es"], "elementary"),
    **dict.fromkeys(["high", "hs", "prepa", "preparatoria"], "high"),
    # "escuela intermedia" and an "intermediate school" are middle schools.
    **dict.fromkeys(["middle", "ms", "secundaria", "intermedia", "intermediate"], "middle"),
}

STREET_SUFFIXES: dict[str, str] = {
    **dict.fromkeys(["st", "street", "str", "calle", "stree", "streer"], "st"),
    **dict.fromkeys(["ave", "avenue", "av", "avenida", "avda", "avn", "avenu"], "ave"),
    **dict.fromkeys(["rd", "road"], "rd"),
    **dict.fromkeys(["blvd", "boulevard", "bulevar", "bvd", "blv"], "blvd"),
    **dict.fromkeys(["dr", "drive"], "dr"),
    **dict.fromkeys(["pl", "place"], "pl"),
    **dict.fromkeys(["ct"], "ct"),
    **dict.fromkeys(["ln", "lane"], "ln"),
    **dict.fromkeys(["pkwy", "parkway"], "pkwy"),
    **dict.fromkeys(["hwy", "highway"], "hwy"),
}
# Suffix words that may only follow a street name ("Pulaski Rd"), never stand for one on their own.
TRAILING_SUFFIXES: dict[str, str] = {
    "way": "way", "ter": "ter", "terrace": "ter", "cir": "cir", "circle": "cir", "fwy": "fwy", "freeway": "fwy",
    "expy": "expy", "expressway": "expy", "trl": "trl", "trail": "trl", "pike": "pike", "cres": "cres",
    "crescent": "cres",
}  # fmt: skip
SUFFIX_LABELS = {
    "st": "St", "ave": "Ave", "rd": "Rd", "blvd": "Blvd", "dr": "Dr", "pl": "Pl", "ct": "Ct", "ln": "Ln",
    "pkwy": "Pkwy", "hwy": "Hwy", "way": "Way", "ter": "Ter", "cir": "Cir", "fwy": "Fwy", "expy": "Expy",
    "trl": "Trl", "pike": "Pike", "cres": "Cres",
}  # fmt: skip
# Shortened words of names, street names and kinds, read as the whole word: "Laurel Cyn" is Laurel Canyon,
# "Washington Hts" Washington Heights, "Union Sq" Union Square, "Jefferson Sch" Jefferson school.
ABBREVIATIONS: dict[str, str] = {
    "cyn": "canyon", "hts": "heights", "hgts": "heights", "ctr": "center", "cntr": "center", "mt": "mount",
    "pt": "point", "pte": "point", "stn": "station", "plz": "plaza", "tc": "transitcenter", "bway": "broadway",
    "bdwy": "broadway",
    "mtn": "mountain", "ft": "fort", "sq": "square", "sch": "school", "schl": "school", "lk": "lake",
    "crk": "creek", "spgs": "springs", "vly": "valley", "jr": "junior", "med": "medical", "univ": "university",
    "comm": "community", "ctro": "centro",
}  # fmt: skip
# Numbered highways: "I-45", "Hwy 6", "FM 1960", "US 59", "Loop 610", "la carretera 59": one word each.
_HIGHWAY_PREFIXES: dict[str, str] = {
    "i": "i", "ih": "i", "interstate": "i", "hwy": "hwy", "highway": "hwy", "carretera": "hwy", "autopista": "hwy",
    "fm": "fm", "us": "us", "sr": "sr", "rt": "rt", "route": "rt", "ruta": "rt", "loop": "loop", "sh": "sh",
}  # fmt: skip
_HIGHWAY = re.compile(r"^(i|hwy|fm|us|sr|rt|loop|sh)\d{1,4}$")


def is_highway(norm: str) -> bool:
    """A numbered highway as `words` folds it: "i45", "hwy6", "fm1960"."""
    return bool(_HIGHWAY.match(norm))


# Words that say "the street called ..." before its name, in Spanish mostly: "la 26", "calle 26".
STREET_PREFIXES: dict[str, str] = {"calle": "st", "avenida": "ave", "avda": "ave", "av": "ave", "bulevar": "blvd"}
DIRECTIONS: dict[str, str] = {
    **dict.fromkeys(["n", "north", "norte"], "n"),
    **dict.fromkeys(["s", "south", "sur"], "s"),
    **dict.fromkeys(["e", "east", "este"], "e"),
    **dict.fromkeys(["w", "west", "oeste"], "w"),
}
# Words around a place name that say nothing about which place it is (place keys fold them away).
FILLER = frozenset(
    {
        "the", "at", "on", "of", "near", "in", "by", "a", "an", "to", "from", "outside", "front", "corner",
        "door", "doors", "entrance", "gate", "gates", "main",
        "la", "el", "los", "las", "de", "del", "en", "al", "por", "frente", "cerca", "afuera", "puerta",
        "entrada", "esquina", "junto", "enfrente", "intersection", "interseccion", "cruce", "lobby",
    }
)  # fmt: skip
CONNECTORS = frozenset({"and", "y", "&", "/", "@", "con"})
# Words that put what follows at a place ("at Home Depot", "afuera de la escuela").
LOCATIVES = frozenset(
    {"at", "@", "en", "in", "outside", "near", "by", "afuera", "frente", "enfrente", "cerca", "inside", "dentro",
     "behind", "detras", "across", "from", "of", "de", "del", "al", "a"}
)  # fmt: skip
ON_WORDS = frozenset({"on", "sobre", "en"})  # "Walgreens on Cermak", "sobre la Pulaski"

# Words a hurried report wraps around a place that are never part of a place's or a street's name: who
# is there, what they do, how many, when, and pleas to share. They end a name where no comma does.
NOISE = frozenset(
    """
    i im me my we were our ours us you your youre u ur he she it its they theyre them their there theres
    this that these those here who what when where why how which everyone everybody anyone anybody someone
    somebody people person persons man men woman women guy guys kid kids child children
    mom dad student students neighbor neighbors neighbour neighbours worker workers
    is are was be been being am have has had do does did dont doesnt didnt cant wont will would can could
    should may might must get got getting go going gone went come coming came leave leaving left stay
    staying stayed see seen saw seeing look looking watch watching wait waiting waited sit sitting
    stand standing parked parking lot lots arrest arrests arresting arrested detain detaining detained
    detention take taking took taken grab grabbing grabbed chase chasing chased stop stopping stopped
    pull pulling pulled ask asking asked check checking checked question questioning raid raids raiding
    blocking blocked surround surrounding surrounded knock knocking knocked run running ran hide
    hiding pick picking picked walk walking walked drive driving drove tell telling told share sharing
    spread call calling called text texting post posting warn warning avoid careful help please pls plz
    asap urgent alert alerta warning heads up omg wtf lol now right just still again already today tonight
    otra vez ones couple blocks cuadras
    morning afternoon evening night tomorrow yesterday min mins minute minutes hour hours ago sec am pm
    ice migra cbp hsi dhs feds fed federal federales agent agents officer officers police cop
    cops policia patrulla immigration inmigracion border patrol sheriff deputies marshals swat fbi
    van vans truck trucks suv suvs car cars vehicle vehicles unmarked camioneta camionetas carro carros
    troca trocas coche coches
    one two three four five six seven eight nine ten several many some few lots bunch lot more all
    dos tres cuatro cinco seis siete ocho nueve diez varios varias muchos muchas algunos algunas unos unas
    todo todos todas
    yo tu ella ellos ellas nosotros usted ustedes mi mis su sus nuestro nuestra aqui ahi alli alla aca
    esta estan estaba estaban estamos es son era eran hay habia hubo fue fueron ser estar tiene tienen
    agarrando agarraron agarro arrestando arrestaron arresto deteniendo detuvieron detuvo llevando
    llevaron llevo parados parado paradas estacionados estacionado esperando buscando preguntando
    pidiendo revisando corriendo vi vimos vieron visto acaban acaba ahora ahorita hoy ya todavia aun
    manana tarde noche horas hora minuto minutos hace cuidado ojo aviso avisen avisar compartan comparte
    comparta digan diganle eviten evitar tengan salgan salir no si yes pasen pasar urgente ayuda favor
    gente personas persona senor senora senores nino ninos nina ninas hijos hijo hija hijas familia
    vecino vecinos trabajadores trabajador estudiantes alumnos padres mama papa
    jan january feb february mar march apr april jun june jul july aug august sep sept september oct
    october nov november dec december enero febrero marzo abril mayo junio julio agosto septiembre
    octubre noviembre diciembre monday tuesday wednesday thursday friday saturday sunday lunes martes
    miercoles jueves viernes sabado domingo
    around over across behind inside outside near next nearby between about into onto off up down
    alrededor dentro detras atras adentro afuera enfrente cerca lado sobre entre hacia hasta desde
    with without for and or but so if then than also too very really like just con sin para pero o u
    que porque como cuando donde quien
    apt apartment unit suite ste depto departamento piso floor fl building edificio
    somewhere anywhere everywhere algun lugar area zona barrio neighborhood
    neighbourhood sighting spotted spotting reported report reports reporting confirmed confirm
    idk sure unsure maybe think thought heard hear se sabe creo quizas parece dicen dijeron oi
    """.split()  # noqa: SIM905 (a word list reads better as text)
)  # fmt: skip

# The same name in English and Spanish (saints, devotions, given names): folded to one form.
NAME_VARIANTS: dict[str, str] = {
    "nuestra": "our", "senora": "lady", "sagrado": "sacred", "corazon": "heart", "santisima": "holy",
    "trinidad": "trinity", "inmaculada": "immaculate", "concepcion": "conception", "asuncion": "assumption",
    "resurreccion": "resurrection", "cristo": "christ", "rey": "king", "familia": "family", "maria": "mary",
    "jose": "joseph", "juan": "john", "pedro": "peter", "pablo": "paul", "miguel": "michael",
    "francisco": "francis", "antonio": "anthony", "pio": "pius", "ines": "agnes", "lucas": "luke",
    "mateo": "matthew", "marcos": "mark", "santiago": "james", "isidro": "isidore", "jeronimo": "jerome",
    "benito": "benedict", "rosa": "rose", "teresa": "theresa",
    "angeles": "angels", "dolores": "sorrows",
    "tren": "train", "linea": "line",
    "biblioteca": "library", "centro": "center", "comunitario": "community", "comunidad": "community",
}  # fmt: skip


# Transit lines are named by colour, and Spanish speakers name them in Spanish ("la línea rosa", "el tren
# naranja"). Only tried as another reading of a word when matching names: "rosa" is also Saint Rose.
COLOUR_VARIANTS: dict[str, str] = {
    "rosa": "pink", "naranja": "orange", "azul": "blue", "roja": "red", "rojo": "red", "verde": "green",
    "morada": "purple", "morado": "purple", "marron": "brown", "amarilla": "yellow", "amarillo": "yellow",
    "plateada": "silver", "plateado": "silver", "dorada": "gold", "dorado": "gold", "rosado": "pink",
}  # fmt: skip


# A colour beside one of these names a transit line, and so its station: "pink line", "tren rosa".
LINE_WORDS = frozenset({"line", "linea", "train", "tren"})


def name_form(word: str) -> str:
    """A folded name word in one language: "pio" and "pius", "nuestra señora" and "our lady" meet."""
    return NAME_VARIANTS.get(word, word)


def name_forms(word: str) -> tuple[str, ...]:
    """Every form a folded name word may stand for when matching: its name form and a colour's."""
    colour = COLOUR_VARIANTS.get(word)
    form = name_form(word)
    return (form, colour) if colour is not None and colour != form else (form,)


_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th|o|a|er|ro|vo|va|ta|mo|na|do|da)$")
_WORD = re.compile(r"[a-z0-9]+|[&/@]")

# Spelled-out ordinals for street numbers: "twenty-sixth", "la primera".
_UNIT_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "primera": 1, "primero": 1, "segunda": 2, "segundo": 2, "tercera": 3, "tercero": 3, "cuarta": 4,
    "cuarto": 4, "quinta": 5, "quinto": 5, "sexta": 6, "sexto": 6, "septima": 7, "septimo": 7, "octava": 8,
    "octavo": 8, "novena": 9, "noveno": 9, "decima": 10, "decimo": 10,
}  # fmt: skip
_TENS_ORDINALS = {
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# Spanish names numbered streets with cardinals, after "la" or "calle": "la veintiséis", "la treinta y uno"
# ("la una" alone is one o'clock).
_ES_UNITS = {
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
}  # fmt: skip
_ES_NUMBERS = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiuna": 21,
    "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29,
}  # fmt: skip
_ES_TENS = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90}
_ES_STREET_ARTICLES = frozenset({"la", "calle"})
_ASCII_CONTROLS = {c: " " for c in (*range(32), 127)}


@lru_cache(maxsize=8192)
def clean(text: str) -> str:
    """NFKC, no invisible format characters (zero-width, bidi), no control characters, single spaces."""
    if text.isascii():
        # ASCII has no format characters and NFKC leaves it as it is: only controls become spaces.
        return " ".join(text.translate(_ASCII_CONTROLS).split())
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text if unicodedata.category(c) != "Cf"
    )
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: cleaned, look-alikes folded, accents stripped, case folded."""
    return _unaccented(clean(text).translate(CONFUSABLES)).casefold()


def _unaccented(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def has_confusables(text: str) -> bool:
    """Whether `text` mixes in letters from other scripts that only look Latin."""
    cleaned = clean(text)
    return cleaned.translate(CONFUSABLES) != cleaned


def raw_words(text: str) -> list[str]:
    return [ABBREVIATIONS.get(w, w) for w in _WORD.findall(fold(text).replace("'", "").replace("’", ""))]


@lru_cache(maxsize=16384)
def canonical(word: str) -> str:
    ordinal = _ORDINAL.match(word)
    if ordinal:
        return ordinal.group(1)
    if word in STREET_SUFFIXES:
        return STREET_SUFFIXES[word]
    if word in DIRECTIONS:
        return DIRECTIONS[word]
    return KIND_WORDS.get(word, word)


def tokens(text: str) -> list[str]:
    """The words that identify a place, canonical and in order; filler and connectors dropped."""
    return [canonical(w) for w in raw_words(text) if w not in FILLER and w not in CONNECTORS]


def kinds_in(words: list[str]) -> set[str]:
    return {w for w in words if w in KIND_CLASSES}


def distinctive(words: list[str]) -> list[str]:
    """Words that can tell one place from another: no kind words, suffixes or directions."""
    return [w for w in words if w not in KIND_CLASSES and w not in _SUFFIX_FORMS and w not in _DIRECTION_FORMS]


KIND_CLASSES = frozenset(KIND_WORDS.values())
_SUFFIX_FORMS = frozenset(STREET_SUFFIXES.values())
_DIRECTION_FORMS = frozenset(DIRECTIONS.values())


def place_key(name: str) -> str:
    """The key a known place (or one of its aliases) is stored and matched under: its identity, which
    keeps every word ("Lincoln High School" is not "Lincoln Middle School", "Garfield Park" not "Garfield
    Field"). Only spellings of one word fold together ("Elem" and "Elementary", "St." and "Street", "48th"
    and "48"), and words that never tell places apart ("the", "of", "y") are left out."""
    return " ".join(_identity(w) for w in raw_words(name) if w not in _KEY_FILLER and w not in CONNECTORS)


def _identity(word: str) -> str:
    ordinal = _ORDINAL.match(word)
    if ordinal:
        return ordinal.group(1)
    return LEVEL_WORDS.get(word) or STREET_SUFFIXES.get(word) or DIRECTIONS.get(word) or word


_KEY_FILLER = FILLER - {"main", "front", "gate", "corner"}


# --- spelling -------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """A spelling-tolerant form of a folded word, for keys: doubled letters, y/i, ck/k, ph/f, a final
    e or plural s fold together ("pulasky" = "pulaski", "guerro" = "guero", "hamlin" = "hamline")."""
    if word.isdigit() or len(word) < 4:
        return word
    word = word.replace("ph", "f").replace("ck", "k").replace("y", "i").replace("z", "s").replace("v", "b")
    collapsed = "".join(c for i, c in enumerate(word) if i == 0 or c != word[i - 1])
    if len(collapsed) > 4 and collapsed.endswith("s"):
        collapsed = collapsed[:-1]
    if len(collapsed) > 4 and collapsed.endswith("e"):
        collapsed = collapsed[:-1]
    return collapsed


def typo_budget(word: str) -> int:
    """How many slips (a wrong, missing, extra or swapped letter) a word of this length may carry."""
    if word.isdigit() or len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def words_alike(a: str, b: str) -> bool:
    """Equal, or a typo apart in a long-enough word ("hamlin" / "hamline"); numbers must be equal."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    budget = min(typo_budget(a), typo_budget(b)) if min(len(a), len(b)) >= 5 else 0
    return budget > 0 and OSA.distance(a, b, score_cutoff=budget) <= budget


# --- a whole message, word by word ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a message: as typed (for labels) and folded (for matching)."""

    typed: str
    norm: str
    pause: bool = False  # a comma, a stop, an emoji or a line break comes before it
    glued: bool = False  # joined to the word before by a hyphen ("7-Eleven")


_PIECE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[&/@#+]|\.{2,}|\s[-–—]+\s|-|[^\w\s]", re.UNICODE)
_QUIET = frozenset(".'’·")  # inside abbreviations ("St."), never a pause
# Two words people write for one kind of place: "car wash" is a kind, "car" alone is a vehicle.
_COMPOUNDS = {
    ("car", "wash"): "carwash", ("gas", "station"): "gasstation", ("bus", "stop"): "station",
    ("flea", "market"): "fleamarket", ("swap", "meet"): "swapmeet", ("court", "house"): "courthouse",
    ("super", "mercado"): "supermercado", ("tire", "shop"): "tireshop", ("auto", "shop"): "autoshop",
    ("body", "shop"): "bodyshop", ("transit", "center"): "transitcenter",
}  # fmt: skip


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[Word, ...]:
    """The words of a message in order, ordinals spelled out folded into numbers ("twenty-sixth" -> "26th").
    Remembered: one text is read several times (its landmark, its kinds, its streets, the book's names)."""
    return tuple(_words(text))


# A fraction after a house number is part of it ("2417 1/2 S Drake Ave"), never a 1st or 2nd street.
_FRACTION = re.compile(r"(?<=\d)(?:\s+|-)[13]/[24](?![\d/])")
# Spanish texting: "c/" is "con" ("7 av c/ 60"), "d" before an article is "de" ("la escuela d la 98").
_TEXTING = re.compile(r"(?<![\w/])[cC]/(?=[\s\w])|(?<!\w)[dD](?= (?:la|el|los|las) )")


def _texting(match: re.Match[str]) -> str:
    return "con " if match.group().endswith("/") else "de"


def _words(text: str) -> list[Word]:
    cleaned = _FRACTION.sub("", clean(text.replace("\n", " , ")).translate(CONFUSABLES))
    if "/" in cleaned or " " in cleaned:
        cleaned = _TEXTING.sub(_texting, cleaned)
    found: list[Word] = []
    pause = glue = False
    for raw in _PIECE.finditer(cleaned):
        piece = raw.group().strip()
        if raw.group() == "-":
            glue = bool(found) and raw.start() > 0 and not cleaned[raw.start() - 1].isspace()
            continue
        if piece in _QUIET:
            continue
        if piece and (piece[0].isalnum() or piece in "&/@#+"):
            norm = _unaccented(piece).casefold().replace("'", "").replace("’", "")
            joined = glue and raw.start() > 0 and not cleaned[raw.start() - 1].isspace()
            norm = ABBREVIATIONS.get(norm, norm)
            found.append(Word(piece, "&" if norm == "+" else norm, pause, joined))
            pause = glue = False
        else:
            pause, glue = True, False
    return _highways(_compounds(_spelled_ordinals(found)))


def _highways(found: list[Word]) -> list[Word]:
    """ "I-45", "Hwy 6", "FM 1960" as one word ("i45"): never the 45th street, nor a house number. "I"
    and "us" are also words: they take a number only glued to it or of two digits or more ("I-5", "US 59")."""
    merged: list[Word] = []
    i = 0
    while i < len(found):
        w = found[i]
        after = found[i + 1] if i + 1 < len(found) else None
        prefix = _HIGHWAY_PREFIXES.get(w.norm)
        if (
            prefix is not None
            and after is not None
            and not after.pause
            and after.norm.isdigit()
            and len(after.norm) <= 4
            and (w.norm not in {"i", "us"} or after.glued or len(after.norm) >= 2)
        ):
            joiner = "-" if after.glued else " "
            merged.append(Word(f"{w.typed}{joiner}{after.typed}", f"{prefix}{after.norm}", w.pause, w.glued))
            i += 2
            continue
        merged.append(w)
        i += 1
    return merged


def _compounds(found: list[Word]) -> list[Word]:
    merged: list[Word] = []
    for w in found:
        if merged and not w.pause and (merged[-1].norm, w.norm) in _COMPOUNDS:
            first = merged.pop()
            joiner = "-" if w.glued else " "
            w = Word(f"{first.typed}{joiner}{w.typed}", _COMPOUNDS[(first.norm, w.norm)], first.pause, first.glued)
        merged.append(w)
    return merged


def _spelled_ordinals(found: list[Word]) -> list[Word]:
    merged: list[Word] = []
    i = 0
    while i < len(found):
        w = found[i]
        value: int | None = _UNIT_ORDINALS.get(w.norm) or _TENS_ORDINALS.get(w.norm)
        typed = w.typed
        if w.norm in _TENS and i + 1 < len(found) and found[i + 1].norm in _UNIT_ORDINALS:
            unit = _UNIT_ORDINALS[found[i + 1].norm]
            if unit < 10:
                value, typed = _TENS[w.norm] + unit, f"{w.typed}-{found[i + 1].typed}"
                i += 1
        if value is None and merged and merged[-1].norm in _ES_STREET_ARTICLES and not w.pause:
            value = _ES_NUMBERS.get(w.norm) or _ES_TENS.get(w.norm)
            after = found[i + 2] if i + 2 < len(found) else None
            if w.norm in _ES_TENS and after is not None and found[i + 1].norm == "y" and after.norm in _ES_UNITS:
                value, typed = _ES_TENS[w.norm] + _ES_UNITS[after.norm], f"{w.typed} y {after.typed}"  # "treinta y uno"
                i += 2
        if value is not None:
            merged.append(Word(typed, f"{value}th", w.pause, w.glued))
        else:
            merged.append(w)
        i += 1
    return merged


def typed_phrase(shown: Sequence[Word]) -> str:
    """Words as typed, hyphens kept where they were."""
    return "".join(("-" if w.glued and i else " " if i else "") + w.typed for i, w in enumerate(shown))


def ordinal_number(norm: str) -> int | None:
    """The street number a folded word names: "26th", "26", "26va" -> 26; anything else None."""
    if norm.isdigit():
        return int(norm) if len(norm) <= 3 else None
    match = _ORDINAL.match(norm)
    return int(match.group(1)) if match and len(match.group(1)) <= 3 else None


def is_ordinal(norm: str) -> bool:
    """A number written as an ordinal ("26th", "3rd", "26va"), which is a street, never a house."""
    return bool(_ORDINAL.match(norm)) and not norm.isdigit()


def ordinal_label(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{({1: 'st', 2: 'nd', 3: 'rd'}).get(number % 10, 'th')}"


def house_at(ws: Sequence[Word], k: int) -> tuple[int, int]:
    """The house number a digit word starts, and the index of its last word: a number of Queens's kind,
    "41-32" (house 32 past 41st), is 4132, on the 4100 block."""
    after = ws[k + 1] if k + 1 < len(ws) else None
    if after is not None and after.glued and after.norm.isdigit() and len(after.norm) == 2 and len(ws[k].norm) <= 3:
        return int(ws[k].norm) * 100 + int(after.norm), k + 1
    return int(ws[k].norm), k
