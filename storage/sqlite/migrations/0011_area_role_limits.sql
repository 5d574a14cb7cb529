-- Area roles that one member cannot multiply (issue 23): a cap on the roles Veraz makes, and every role
-- grant Veraz asks Discord for, kept from before it asks until it knows the answer. A row still open at
-- the next start is a grant a crash cut short: the bot looks at the member's roles to settle it, so the
-- ledger learns of a holder Discord has. The rows of the last hour limit how often one member asks; older
-- settled rows are deleted as new ones come.
ALTER TABLE communities ADD COLUMN area_role_limit INTEGER NOT NULL DEFAULT 50;

CREATE TABLE role_grants (
    id          INTEGER PRIMARY KEY,
    community   INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    role_id     INTEGER NOT NULL,
    area        TEXT    NOT NULL,
    language    TEXT    NOT NULL,
    asked_at    TEXT    NOT NULL,
    settled_at  TEXT                      -- NULL while Discord's answer is awaited, or was lost in a crash
) STRICT;
CREATE INDEX role_grants_member ON role_grants (community, user_id, asked_at);
CREATE INDEX role_grants_open ON role_grants (community, role_id) WHERE settled_at IS NULL;
