-- Area roles (issue 14): one role per area and language, pinged by one post per language in the alerts
-- channel, and Veraz's own ledger of the grants and removals it made.

ALTER TABLE communities ADD COLUMN area_roles INTEGER NOT NULL DEFAULT 0;
ALTER TABLE communities ADD COLUMN default_delivery TEXT NOT NULL DEFAULT 'dm';  -- 'dm' or 'role'
ALTER TABLE communities ADD COLUMN area_menu INTEGER;  -- the "Get alerts for..." message

-- How a subscription is delivered: 'dm', or 'role' (the subscriber holds the area's role).
ALTER TABLE subscriptions ADD COLUMN via TEXT NOT NULL DEFAULT 'dm';

-- The exact roles a 'role_post' delivery mentions (JSON list of ids): its amendments mention the same.
ALTER TABLE deliveries ADD COLUMN roles TEXT NOT NULL DEFAULT '[]';

CREATE TABLE area_roles (
    community   INTEGER NOT NULL REFERENCES communities(id),
    area        TEXT    NOT NULL,         -- '' means every area
    area_key    TEXT    NOT NULL,         -- casefolded
    language    TEXT    NOT NULL,
    role_id     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (community, area_key, language),
    UNIQUE (community, role_id)
) STRICT;

-- One row per grant Veraz made; `removed_at` is set when Veraz takes the role away. Never deleted while
-- a message may still be owed by it: corrections reach by DM whoever held a role when its alert went out.
CREATE TABLE role_ledger (
    id          INTEGER PRIMARY KEY,
    community   INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    role_id     INTEGER NOT NULL,
    granted_at  TEXT    NOT NULL,
    removed_at  TEXT,
    dm_channel  INTEGER                   -- opened at the role subscription: a correction DM costs one request
) STRICT;
CREATE INDEX role_ledger_role ON role_ledger (community, role_id, removed_at);
CREATE INDEX role_ledger_user ON role_ledger (community, user_id, removed_at);
