-- /forget-me drops a report's text and pseudonym but leaves this keyed mark: SHA-256 of the report id
-- and the pseudonym, itself an HMAC whose key is not in the database. With it a moderator who reported
-- an incident can never confirm it; without the key it links nobody to anything. Retention clears it
-- with the rest of the incident's reports.
ALTER TABLE reports ADD COLUMN mark TEXT;
