-- Delivery bookkeeping: a delivery in doubt stays in doubt until it is known; purges on a wall clock.

-- When a worker first claimed the delivery (kept across re-claims: DM history is searched from it), and
-- whether an attempt may have reached Discord without anyone knowing (a timeout, a crash, a stuck send).
-- Only a recorded send clears the doubt. `checks` counts DM history lookups that failed (Discord or the
-- network did not answer); they are not send attempts.
ALTER TABLE deliveries ADD COLUMN first_claimed_at TEXT;
ALTER TABLE deliveries ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;

UPDATE deliveries SET first_claimed_at = claimed_at WHERE claimed_at IS NOT NULL;
-- Until now a queued row kept claimed_at only while in doubt; a row left 'sending' is in doubt too.
UPDATE deliveries SET in_doubt = 1 WHERE state IN ('queued', 'sending') AND claimed_at IS NOT NULL;
-- A delivery that gave up after a timeout or a crash of its send may have arrived.
UPDATE deliveries SET in_doubt = 1
WHERE state = 'failed' AND (error LIKE 'gave up: network:%' OR error LIKE 'gave up: internal:%');

-- One recipient's messages about an incident go in order: a claim looks for an earlier one unsettled.
CREATE INDEX deliveries_recipient ON deliveries (community, number, recipient_kind, recipient, id);

-- Wall-clock times of housekeeping (the last retention purge), so a restart does not reset the schedule.
CREATE TABLE housekeeping (
    name    TEXT    PRIMARY KEY,
    at      TEXT    NOT NULL
) STRICT;
