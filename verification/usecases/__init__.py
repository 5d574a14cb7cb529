"""The use cases: each takes a unit of work and does one transaction (reads may take their own)."""

from .administration import (
    Setup,
    add_place,
    configure_community,
    get_community,
    import_places,
    list_places,
    make_place,
    parse_places_csv,
    remove_place,
)
from .common import Outcome
from .moderation import (
    StatementInput,
    add_update,
    attach_statement,
    correct,
    debunk,
    expire_stale,
    mark_misidentified,
    merge,
    reopen,
    resolve,
    vote_confirm,
)
from .queries import IncidentView, all_incidents, delivery_counts, delivery_log, incident, incident_view, queue
from .reporting import ReportInput, submit_report
from .subscribing import areas, subscribe, subscriptions_of, unsubscribe

__all__ = [
    "IncidentView",
    "Outcome",
    "ReportInput",
    "Setup",
    "StatementInput",
    "add_place",
    "add_update",
    "all_incidents",
    "areas",
    "attach_statement",
    "configure_community",
    "correct",
    "debunk",
    "delivery_counts",
    "delivery_log",
    "expire_stale",
    "get_community",
    "import_places",
    "incident",
    "incident_view",
    "list_places",
    "make_place",
    "mark_misidentified",
    "merge",
    "parse_places_csv",
    "queue",
    "remove_place",
    "reopen",
    "resolve",
    "submit_report",
    "subscribe",
    "subscriptions_of",
    "unsubscribe",
    "vote_confirm",
]
