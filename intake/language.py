"""The languages Veraz reads and writes."""

from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    ES = "es"
