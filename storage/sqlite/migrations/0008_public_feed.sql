-- A community's public feed (issue 15): off by default. The slug is picked when an admin first turns
-- the feed on and kept while it is off, so the addresses given to other tools stay the same.
ALTER TABLE communities ADD COLUMN feed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE communities ADD COLUMN feed_slug TEXT;
CREATE UNIQUE INDEX communities_feed_slug ON communities (feed_slug) WHERE feed_slug IS NOT NULL;
-- The feed reads a community's messages newest first.
CREATE INDEX alerts_community_id ON alerts (community, id);
-- Whether any delivery of a message is still meant to go (or went): cancelled-only messages are hidden.
CREATE INDEX deliveries_alert ON deliveries (alert_id, state);
