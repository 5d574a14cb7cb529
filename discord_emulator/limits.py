"""Discord's documented limits as one configurable dataclass (validation.py and ratelimits.py enforce them)."""

from __future__ import annotations

from dataclasses import dataclass, field

COMPONENTS_V2_FLAG = 1 << 15


@dataclass(frozen=True)
class Bucket:
    """`limit` requests per `per` seconds, per route and top-level resource (channel, guild or webhook)."""

    limit: int
    per: float


def default_buckets() -> dict[str, Bucket]:
    return {
        "POST /channels/{channel_id}/messages": Bucket(5, 5.0),
        "PATCH /channels/{channel_id}/messages/{message_id}": Bucket(5, 5.0),
        "DELETE /channels/{channel_id}/messages/{message_id}": Bucket(5, 1.0),
        "POST /users/@me/channels": Bucket(10, 10.0),
        "POST /webhooks/{webhook_id}/{webhook_token}": Bucket(5, 2.0),
        "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}": Bucket(5, 2.0),
        "PUT /applications/{application_id}/commands": Bucket(4, 20.0),
        "PUT /applications/{application_id}/guilds/{guild_id}/commands": Bucket(4, 20.0),
    }


@dataclass
class Limits:
    """Every number the emulator enforces. Mutable on purpose: tests and the benchmark tune it live."""

    # Rate limits. None disables the global limit or the fallback bucket.
    global_limit: int | None = 50
    global_window: float = 1.0
    buckets: dict[str, Bucket] = field(default_factory=default_buckets)
    default_bucket: Bucket | None = Bucket(50, 1.0)
    invalid_request_limit: int | None = 10_000
    invalid_request_window: float = 600.0
    # Message content.
    content_length: int = 2000
    embeds_per_message: int = 10
    embed_title: int = 256
    embed_description: int = 4096
    embed_fields: int = 25
    embed_field_name: int = 256
    embed_field_value: int = 1024
    embed_footer_text: int = 2048
    embed_author_name: int = 256
    embed_total: int = 6000
    action_rows: int = 5
    row_width: int = 5
    total_components: int = 40
    custom_id_length: int = 100
    button_label: int = 80
    nonce_length: int = 25
    attachment_size_limit: int = 10 * 1024 * 1024
    # How long a signed CDN link works (Discord's links carry ex/is/hm and expire after about a day).
    cdn_link_seconds: float = 24 * 3600.0
    # Guilds.
    roles_per_guild: int = 250  # @everyone included; one more answers 400/30005
    role_name: int = 100
    # Interactions.
    modal_title: int = 45
    modal_components: int = 5
    autocomplete_choices: int = 25
    interaction_deadline: float = 3.0
    interaction_token_lifetime: float = 15 * 60.0
    nonce_window: float = 180.0
    # Gateway.
    heartbeat_interval_ms: int = 41_250
    # Sharding: what GET /gateway/bot recommends, and the most guilds one session may hold (Discord
    # closes an IDENTIFY that would hold more with 4011 "Sharding required"; it requires shards from
    # 2,500 guilds).
    recommended_shards: int = 1
    guilds_per_shard: int = 2500
    resume_backlog: int = 1000

    def bucket_for(self, route_key: str) -> Bucket | None:
        return self.buckets.get(route_key, self.default_bucket)
