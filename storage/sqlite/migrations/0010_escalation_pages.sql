-- Pages to the on-call moderators (issue 23): a community's pages of the last hour are counted from the
-- `escalated` events of its incidents, every minute, so that one account cannot page again and again.
CREATE INDEX incident_events_kind ON incident_events (community, kind, at);
