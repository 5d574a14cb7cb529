"""Reading what people type: times and places, as reporters write them, in English and Spanish.

It imports only the standard library, dateutil and rapidfuzz, and knows nothing of incidents: `verification`
uses it, never the other way round. The rules it follows are in docs/intake.md.
"""

from .language import Language
from .refused import Refused

__all__ = ["Language", "Refused"]
