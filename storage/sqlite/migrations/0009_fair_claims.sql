-- Fair claims (issue 21): at each priority the worker shares sends round-robin between communities, and
-- within a community between alerts (verification/fair_share.py states the rule).
-- (Numbered 0009 on its branch; renumber when merged after another 0009.)

-- An alert's turn in the round: the counter's value when it was last served, or when it was added (it
-- joins at the back). The counter is the largest turn; a community's turn is the largest of its alerts'.
ALTER TABLE alerts ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
CREATE INDEX alerts_turn ON alerts (turn);
CREATE INDEX alerts_community_turn ON alerts (community, turn);

-- Only the queued rows, per alert in claim order: a claim finds the alerts in progress by one seek each
-- and reads from each only the rows it may take, however many rows were ever sent.
CREATE INDEX deliveries_queued ON deliveries (alert_id, priority, recipient_kind = 'dm', id) WHERE state = 'queued';
