-- Veraz schema, version 1. Every row belongs to a community (a Discord guild id).
-- The incident event log is the source of truth; `incidents` is its read model.

CREATE TABLE communities (
    id                      INTEGER PRIMARY KEY,
    timezone                TEXT    NOT NULL DEFAULT 'UTC',
    language                TEXT    NOT NULL DEFAULT 'en',
    moderator_role          INTEGER,
    queue_channel           INTEGER,
    alerts_channel          INTEGER,
    retention_days          INTEGER NOT NULL DEFAULT 30,
    stale_hours             INTEGER NOT NULL DEFAULT 6,
    cluster_window_minutes  INTEGER NOT NULL DEFAULT 120,
    report_limit            INTEGER NOT NULL DEFAULT 5,
    report_window_minutes   INTEGER NOT NULL DEFAULT 10,
    new_account_days        INTEGER NOT NULL DEFAULT 7,
    new_member_hours        INTEGER NOT NULL DEFAULT 24,
    relay_hours             INTEGER NOT NULL DEFAULT 24,
    next_number             INTEGER NOT NULL DEFAULT 1,
    places_stamp            INTEGER NOT NULL DEFAULT 0   -- a new random value on every change to places
) STRICT;

CREATE TABLE places (
    community   INTEGER NOT NULL REFERENCES communities(id),
    key         TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    area        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    aliases     TEXT    NOT NULL DEFAULT '[]',   -- JSON list
    PRIMARY KEY (community, key)
) STRICT;

CREATE TABLE incidents (
    community       INTEGER NOT NULL REFERENCES communities(id),
    number          INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    place_key       TEXT    NOT NULL,
    place_label     TEXT    NOT NULL,
    area            TEXT    NOT NULL,
    place_kind      TEXT    NOT NULL,
    priority        INTEGER NOT NULL,
    contested       INTEGER NOT NULL,
    closed          INTEGER NOT NULL,
    reports         INTEGER NOT NULL,
    reporters       INTEGER NOT NULL,
    first_observed  TEXT    NOT NULL,
    last_observed   TEXT    NOT NULL,
    last_news_at    TEXT    NOT NULL,
    opened_at       TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    closed_at       TEXT,
    words           TEXT    NOT NULL DEFAULT '',  -- distinctive place words, space separated
    card_message    INTEGER,
    PRIMARY KEY (community, number)
) STRICT;
CREATE INDEX incidents_open ON incidents (community, closed, last_news_at);

-- Lookup keys for clustering: (key, observed span) of OPEN incidents only, so a lookup's cost
-- depends on the incidents sharing a key near that time, not on how many incidents are open.
CREATE TABLE incident_keys (
    community       INTEGER NOT NULL,
    key             TEXT    NOT NULL,
    number          INTEGER NOT NULL,
    last_observed   TEXT    NOT NULL,
    PRIMARY KEY (community, key, number),
    FOREIGN KEY (community, number) REFERENCES incidents(community, number)
) STRICT;
CREATE INDEX incident_keys_time ON incident_keys (community, key, last_observed);
CREATE INDEX incident_keys_number ON incident_keys (community, number, key);

CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    community   INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    payload     TEXT    NOT NULL,  -- JSON, see verification.events.to_record
    UNIQUE (community, number, seq),
    FOREIGN KEY (community, number) REFERENCES incidents(community, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;

-- Append-only, enforced by the database itself: history is never rewritten.
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN
    SELECT RAISE(ABORT, 'incident_events is append-only');
END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN
    SELECT RAISE(ABORT, 'incident_events is append-only');
END;

-- Statements as a read model, for listing; the event log keeps the authoritative copy.
CREATE TABLE statements (
    id          INTEGER PRIMARY KEY,
    community   INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    source_kind TEXT    NOT NULL,
    stance      TEXT    NOT NULL,
    url         TEXT,
    quote       TEXT,
    published   TEXT    NOT NULL,
    attached_by TEXT    NOT NULL,
    attached_at TEXT    NOT NULL,
    FOREIGN KEY (community, number) REFERENCES incidents(community, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX statements_incident ON statements (community, number);

-- Reports: the personal part. Text and pseudonym are purged after retention (set to NULL).
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    community   INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    ordinal     INTEGER NOT NULL,      -- reporter number within the incident
    pseudonym   TEXT,                  -- HMAC-SHA256 of the reporter's id; never the id itself
    where_text  TEXT,
    what        TEXT,
    markings    TEXT,
    observed_at TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    agency      TEXT    NOT NULL,
    people      INTEGER,
    language    TEXT    NOT NULL,
    low_trust   INTEGER NOT NULL,
    purged_at   TEXT,
    FOREIGN KEY (community, number) REFERENCES incidents(community, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX reports_incident ON reports (community, number);
CREATE INDEX reports_pseudonym ON reports (community, pseudonym, received_at);

-- Standing is forgotten with the reports: a row not touched for the retention period is deleted.
CREATE TABLE reporter_standing (
    community   INTEGER NOT NULL,
    pseudonym   TEXT    NOT NULL,
    score       INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (community, pseudonym)
) STRICT;

CREATE TABLE subscribers (
    community       INTEGER NOT NULL REFERENCES communities(id),
    user_id         INTEGER NOT NULL,
    language        TEXT    NOT NULL,
    dm_channel      INTEGER,              -- so a DM costs one request, not two
    unreachable_at  TEXT,                 -- DMs closed: no more attempts until they subscribe again
    failures        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community, user_id)
) STRICT;

CREATE TABLE subscriptions (
    community   INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    area        TEXT    NOT NULL,         -- '' means every area
    area_key    TEXT    NOT NULL,         -- casefolded, for matching
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (community, user_id, area_key),
    FOREIGN KEY (community, user_id) REFERENCES subscribers(community, user_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX subscriptions_area ON subscriptions (community, area_key);

-- Every published version of an incident's alert, with the ALERT it amends.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    community   INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    amends      INTEGER REFERENCES alerts(id),
    created_at  TEXT    NOT NULL,
    payload     TEXT    NOT NULL,         -- JSON snapshot of the facts (verification.alerts.AlertFacts)
    UNIQUE (community, number, seq)
) STRICT;

-- The outbox: one row per alert and recipient.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER NOT NULL REFERENCES alerts(id),
    community       INTEGER NOT NULL,
    number          INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    recipient_kind  TEXT    NOT NULL,     -- 'dm' or 'channel'
    recipient       INTEGER NOT NULL,     -- user id or channel id
    language        TEXT    NOT NULL,
    priority        INTEGER NOT NULL,
    depends_on      INTEGER REFERENCES deliveries(id),
    state           TEXT    NOT NULL,     -- queued, sending, sent, failed, cancelled
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    nonce           TEXT    NOT NULL,     -- stable across restarts; Discord de-duplicates on it
    claimed_at      TEXT,
    channel_id      INTEGER,              -- where it was sent (a DM channel, or the channel)
    message_id      INTEGER,              -- the Discord message, once sent
    error           TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (alert_id, recipient_kind, recipient)
) STRICT;
-- In claim order, so a claim reads only the rows it takes, however long the queue.
CREATE INDEX deliveries_due ON deliveries (state, priority, id);
CREATE INDEX deliveries_incident ON deliveries (community, number, kind, state);
CREATE INDEX deliveries_depends ON deliveries (depends_on);
