"""The feed's addresses, from the public base URL the operator gives (or the address it listens on)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Links:
    base: str  # "https://alerts.example.org" or "http://127.0.0.1:8080", without a trailing slash
    slug: str

    @property
    def page(self) -> str:
        return f"{self.base}/{self.slug}/"

    @property
    def atom(self) -> str:
        return f"{self.base}/{self.slug}/alerts.atom"

    def cap(self, alert_id: int) -> str:
        return f"{self.base}/{self.slug}/cap/{alert_id}.xml"


def base_url(public_url: str | None, address: str | None) -> str:
    if public_url:
        return public_url.rstrip("/")
    return f"http://{address or '127.0.0.1:8080'}"
