-- Time to truth (issue 16): the on-call role pinged about urgent unattended incidents and after how many
-- minutes, and the trusted verifiers' role and private channel. When the on-call role was pinged about
-- an incident, and every step of a verifier's visit, are events in the incident's log.
-- (Numbered 0006 on its branch; renumber to 0007 when merged after another 0006.)

ALTER TABLE communities ADD COLUMN on_call_role INTEGER;
ALTER TABLE communities ADD COLUMN escalate_after_minutes INTEGER NOT NULL DEFAULT 3;
ALTER TABLE communities ADD COLUMN verifier_role INTEGER;
ALTER TABLE communities ADD COLUMN verifier_channel INTEGER;
