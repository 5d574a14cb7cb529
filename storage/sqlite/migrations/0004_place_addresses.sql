-- Known places gain where they are: a street address (reports on its block are at the place) and the
-- streets it is on or next to (reports at a corner of two of them are at the place).

ALTER TABLE places ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN cross_streets TEXT NOT NULL DEFAULT '[]';  -- JSON list
