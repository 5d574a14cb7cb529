-- The public feed is a recipient (issue 23): when a message was published to it, NULL if never. An
-- ALERT is published while the community's feed is on; every amendment of an incident whose ALERT was
-- published is too, always, so the feed never shows an alert without its retraction.
ALTER TABLE alerts ADD COLUMN feed_at TEXT;
-- Until now the feed showed a message once any of its deliveries was not cancelled, whether the feed was
-- on when it was sent or not, so a reader may have taken any message of a community that ever turned
-- its feed on: all of them are published, with their amendments.
UPDATE alerts SET feed_at = created_at
WHERE community IN (SELECT id FROM communities WHERE feed_slug IS NOT NULL);
CREATE INDEX alerts_feed ON alerts (community, id) WHERE feed_at IS NOT NULL;
