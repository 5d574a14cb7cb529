-- Veraz on PostgreSQL, version 1: the schema SQLite reaches at its migration 0008, in PostgreSQL's types
-- (timestamptz for moments, boolean for flags, bigint for Discord ids, arrays for lists, jsonb for the
-- event and message payloads). Every row belongs to a community (a Discord guild id).
-- The incident event log is the source of truth; `incidents` is its read model.

CREATE TABLE communities (
    id                      bigint  PRIMARY KEY,
    timezone                text    NOT NULL DEFAULT 'UTC',
    language                text    NOT NULL DEFAULT 'en',
    moderator_role          bigint,
    queue_channel           bigint,
    alerts_channel          bigint,
    retention_days          integer NOT NULL DEFAULT 30,
    stale_hours             integer NOT NULL DEFAULT 6,
    cluster_window_minutes  integer NOT NULL DEFAULT 120,
    report_limit            integer NOT NULL DEFAULT 5,
    report_window_minutes   integer NOT NULL DEFAULT 10,
    new_account_days        integer NOT NULL DEFAULT 7,
    new_member_hours        integer NOT NULL DEFAULT 24,
    relay_hours             integer NOT NULL DEFAULT 24,
    next_number             integer NOT NULL DEFAULT 1,
    places_stamp            bigint  NOT NULL DEFAULT 0,   -- a new random value on every change to places
    area_roles              boolean NOT NULL DEFAULT false,
    default_delivery        text    NOT NULL DEFAULT 'dm',  -- 'dm' or 'role'
    area_menu               bigint,                       -- the "Get alerts for..." message
    on_call_role            bigint,
    escalate_after_minutes  integer NOT NULL DEFAULT 3,
    verifier_role           bigint,
    verifier_channel        bigint,
    feed                    boolean NOT NULL DEFAULT false,
    feed_slug               text
);
CREATE UNIQUE INDEX communities_feed_slug ON communities (feed_slug) WHERE feed_slug IS NOT NULL;

CREATE TABLE places (
    community       bigint  NOT NULL REFERENCES communities(id),
    key             text    NOT NULL,
    name            text    NOT NULL,
    area            text    NOT NULL,
    kind            text    NOT NULL,
    aliases         text[]  NOT NULL DEFAULT '{}',
    address         text    NOT NULL DEFAULT '',
    cross_streets   text[]  NOT NULL DEFAULT '{}',
    PRIMARY KEY (community, key)
);

CREATE TABLE incidents (
    community       bigint      NOT NULL REFERENCES communities(id),
    number          integer     NOT NULL,
    status          text        NOT NULL,
    place_key       text        NOT NULL,
    place_label     text        NOT NULL,
    area            text        NOT NULL,
    place_kind      text        NOT NULL,
    priority        integer     NOT NULL,
    contested       boolean     NOT NULL,
    closed          boolean     NOT NULL,
    reports         integer     NOT NULL,
    reporters       integer     NOT NULL,
    first_observed  timestamptz NOT NULL,
    last_observed   timestamptz NOT NULL,
    last_news_at    timestamptz NOT NULL,
    opened_at       timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    closed_at       timestamptz,
    words           text        NOT NULL DEFAULT '',  -- distinctive place words, space separated
    card_message    bigint,
    PRIMARY KEY (community, number)
);
CREATE INDEX incidents_open ON incidents (community, closed, last_news_at);

-- Lookup keys for clustering: (key, observed span) of incidents, read for open ones only.
CREATE TABLE incident_keys (
    community       bigint      NOT NULL,
    key             text        NOT NULL,
    number          integer     NOT NULL,
    last_observed   timestamptz NOT NULL,
    PRIMARY KEY (community, key, number),
    FOREIGN KEY (community, number) REFERENCES incidents(community, number)
);
CREATE INDEX incident_keys_time ON incident_keys (community, key, last_observed);
CREATE INDEX incident_keys_number ON incident_keys (community, number, key);

CREATE TABLE incident_events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community   bigint      NOT NULL,
    number      integer     NOT NULL,
    seq         integer     NOT NULL,
    kind        text        NOT NULL,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    payload     jsonb       NOT NULL,  -- see verification.events.to_record
    UNIQUE (community, number, seq),
    FOREIGN KEY (community, number) REFERENCES incidents(community, number) DEFERRABLE INITIALLY DEFERRED
);

-- Append-only, enforced by the database itself: history is never rewritten, by any statement.
CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident_events is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE OR DELETE ON incident_events
    FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();
CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
    FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only();

-- Statements as a read model, for listing; the event log keeps the authoritative copy.
CREATE TABLE statements (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community   bigint      NOT NULL,
    number      integer     NOT NULL,
    source      text        NOT NULL,
    source_kind text        NOT NULL,
    stance      text        NOT NULL,
    url         text,
    quote       text,
    published   timestamptz NOT NULL,
    attached_by text        NOT NULL,
    attached_at timestamptz NOT NULL,
    FOREIGN KEY (community, number) REFERENCES incidents(community, number) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX statements_incident ON statements (community, number);

-- Reports: the personal part. Text and pseudonym are purged after retention (set to NULL).
CREATE TABLE reports (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community   bigint      NOT NULL,
    number      integer     NOT NULL,
    ordinal     integer     NOT NULL,      -- reporter number within the incident
    pseudonym   text,                      -- HMAC-SHA256 of the reporter's id; never the id itself
    where_text  text,
    what        text,
    markings    text,
    observed_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    agency      text        NOT NULL,
    people      integer,
    language    text        NOT NULL,
    low_trust   boolean     NOT NULL,
    purged_at   timestamptz,
    mark        text,                      -- what /forget-me leaves: see storage.pseudonyms.report_mark
    FOREIGN KEY (community, number) REFERENCES incidents(community, number) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX reports_incident ON reports (community, number);
CREATE INDEX reports_pseudonym ON reports (community, pseudonym, received_at);

CREATE TABLE reporter_standing (
    community   bigint      NOT NULL,
    pseudonym   text        NOT NULL,
    score       integer     NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (community, pseudonym)
);

CREATE TABLE subscribers (
    community       bigint      NOT NULL REFERENCES communities(id),
    user_id         bigint      NOT NULL,
    language        text        NOT NULL,
    dm_channel      bigint,
    unreachable_at  timestamptz,
    failures        integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (community, user_id)
);

CREATE TABLE subscriptions (
    community   bigint      NOT NULL,
    user_id     bigint      NOT NULL,
    area        text        NOT NULL,         -- '' means every area
    area_key    text        NOT NULL,         -- casefolded, for matching
    created_at  timestamptz NOT NULL,
    via         text        NOT NULL DEFAULT 'dm',
    PRIMARY KEY (community, user_id, area_key),
    FOREIGN KEY (community, user_id) REFERENCES subscribers(community, user_id) ON DELETE CASCADE
);
CREATE INDEX subscriptions_area ON subscriptions (community, area_key);

CREATE TABLE alerts (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community   bigint      NOT NULL,
    number      integer     NOT NULL,
    seq         integer     NOT NULL,
    kind        text        NOT NULL,
    amends      bigint      REFERENCES alerts(id),
    created_at  timestamptz NOT NULL,
    payload     jsonb       NOT NULL,         -- verification.alerts.to_record
    UNIQUE (community, number, seq)
);
CREATE INDEX alerts_community_id ON alerts (community, id);

-- The outbox: one row per alert and recipient.
CREATE TABLE deliveries (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id            bigint      NOT NULL REFERENCES alerts(id),
    community           bigint      NOT NULL,
    number              integer     NOT NULL,
    kind                text        NOT NULL,
    recipient_kind      text        NOT NULL,     -- 'dm', 'channel' or 'role_post'
    recipient           bigint      NOT NULL,     -- user id or channel id
    language            text        NOT NULL,
    priority            integer     NOT NULL,
    depends_on          bigint      REFERENCES deliveries(id),
    state               text        NOT NULL,     -- queued, sending, sent, failed, cancelled
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL,
    nonce               text        NOT NULL,     -- stable across restarts; Discord de-duplicates on it
    claimed_at          timestamptz,
    channel_id          bigint,
    message_id          bigint,
    error               text,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    first_claimed_at    timestamptz,
    in_doubt            boolean     NOT NULL DEFAULT false,
    checks              integer     NOT NULL DEFAULT 0,
    roles               bigint[]    NOT NULL DEFAULT '{}',  -- the exact roles a role post mentions
    UNIQUE (alert_id, recipient_kind, recipient)
);
-- In claim order (posts in channels ahead of DMs at each priority), so a claim reads only its rows.
CREATE INDEX deliveries_due_posts_first ON deliveries (state, priority, (recipient_kind = 'dm'), id);
CREATE INDEX deliveries_incident ON deliveries (community, number, kind, state);
CREATE INDEX deliveries_depends ON deliveries (depends_on);
CREATE INDEX deliveries_recipient ON deliveries (community, number, recipient_kind, recipient, id);
CREATE INDEX deliveries_alert ON deliveries (alert_id, state);

CREATE TABLE housekeeping (
    name    text        PRIMARY KEY,
    at      timestamptz NOT NULL
);

CREATE TABLE area_roles (
    community   bigint      NOT NULL REFERENCES communities(id),
    area        text        NOT NULL,         -- '' means every area
    area_key    text        NOT NULL,         -- casefolded
    language    text        NOT NULL,
    role_id     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (community, area_key, language),
    UNIQUE (community, role_id)
);

CREATE TABLE role_ledger (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community   bigint      NOT NULL,
    user_id     bigint      NOT NULL,
    role_id     bigint      NOT NULL,
    granted_at  timestamptz NOT NULL,
    removed_at  timestamptz,
    dm_channel  bigint
);
CREATE INDEX role_ledger_role ON role_ledger (community, role_id, removed_at);
CREATE INDEX role_ledger_user ON role_ledger (community, user_id, removed_at);
