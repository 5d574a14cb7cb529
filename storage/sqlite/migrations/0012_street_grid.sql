-- A community's street grid (issue 19): where its streets cross, by house number. A row with a cross
-- street says that street crosses `street` at house `number` of it; a row without one says `street` lies
-- at `number` on every street that crosses it (a numbered grid). Addresses and corners meet through it.

CREATE TABLE street_grid (
    community    INTEGER NOT NULL REFERENCES communities(id),
    street       TEXT    NOT NULL,
    number       INTEGER NOT NULL,
    cross_street TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (community, street, number, cross_street)
) STRICT;
