-- The public feed is a recipient (issue 23; as storage/sqlite/migrations/0014_feed_recipient.sql): when a
-- message was published to it, NULL if never. Every message of a community that ever turned its feed on
-- was shown under the old rule (or could have been, while its deliveries were queued): all are published.
ALTER TABLE alerts ADD COLUMN feed_at timestamptz;
UPDATE alerts SET feed_at = created_at
WHERE community IN (SELECT id FROM communities WHERE feed_slug IS NOT NULL);
CREATE INDEX alerts_feed ON alerts (community, id) WHERE feed_at IS NOT NULL;
