-- One active process, any number of standbys (issue 22). The active process holds a session advisory
-- lock and, once it has it, raises the epoch here: every claim and settlement of a delivery names the
-- epoch it acts under, and veraz_fence refuses any but the current one. The row lock veraz_fence takes
-- also makes a takeover wait for the steps of the previous leader already under way.

CREATE TABLE veraz_leadership (
    id      integer     PRIMARY KEY CHECK (id = 1),
    epoch   bigint      NOT NULL,
    holder  text,                       -- the process that raised it (see veraz_processes)
    since   timestamptz NOT NULL
);
INSERT INTO veraz_leadership (id, epoch, holder, since) VALUES (1, 0, NULL, now());

CREATE FUNCTION veraz_fence(claimed bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    current_epoch bigint;
BEGIN
    SELECT epoch INTO current_epoch FROM veraz_leadership WHERE id = 1 FOR SHARE;
    IF current_epoch IS DISTINCT FROM claimed THEN
        RAISE EXCEPTION 'stale leader: epoch % is not the current epoch %', claimed, current_epoch
            USING ERRCODE = 'VZ001';
    END IF;
END
$$;

-- The epoch a delivery was last claimed under.
ALTER TABLE deliveries ADD COLUMN epoch bigint;

-- Every `veraz run` on this database, as it last said: for `veraz status` and for people.
CREATE TABLE veraz_processes (
    id          text        PRIMARY KEY,   -- host:pid:random, new at every start
    host        text        NOT NULL,
    pid         integer     NOT NULL,
    role        text        NOT NULL,      -- 'active', 'standby' or 'stopped'
    epoch       bigint,
    gateway     boolean     NOT NULL DEFAULT false,
    started_at  timestamptz NOT NULL,
    seen_at     timestamptz NOT NULL
);

-- Values Veraz keeps about itself: the pseudonym key's check value (never the key).
CREATE TABLE veraz_settings (
    name    text PRIMARY KEY,
    value   text NOT NULL
);

-- The active process's lease, renewed every second by the database's clock (storage.postgres.leadership).
ALTER TABLE veraz_leadership ADD COLUMN renewed_at timestamptz;
