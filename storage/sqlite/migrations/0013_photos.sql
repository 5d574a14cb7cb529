-- Photos sent with reports (issue 24). Never the photo itself, and never where it was taken: a perceptual
-- signature (hashes, verification/photos.py) kept SIGNATURE_KEPT (180 days) for the reuse check, what the
-- card says of it (capture time, camera, whether the file had GPS coordinates: yes or no, never them) kept
-- as long as the report's text, and the id of its post in the private queue channel, which retention and
-- /forget-me delete from Discord (remove_post) before forgetting the id.
CREATE TABLE photos (
    id            INTEGER PRIMARY KEY,
    community     INTEGER NOT NULL,
    report_id     INTEGER NOT NULL REFERENCES reports(id),
    position      INTEGER NOT NULL,             -- 1 (photo) or 2 (photo2)
    received_at   TEXT    NOT NULL,
    signature     BLOB,                         -- NULL once expired or forgotten
    taken_local   TEXT,                         -- the camera's clock, "YYYY-MM-DDTHH:MM:SS", no zone
    taken_offset  INTEGER,                      -- its UTC offset in minutes, when the file said
    camera        TEXT,
    had_gps       INTEGER NOT NULL,
    match_number  INTEGER,                      -- the incident of the earlier photo this one repeats
    match_sent_at TEXT,
    queue_channel INTEGER,
    queue_message INTEGER,
    remove_post   INTEGER NOT NULL DEFAULT 0,   -- its queue post is to be deleted from Discord
    removed_at    TEXT                          -- when retention or /forget-me removed it
) STRICT;
CREATE INDEX photos_community ON photos (community, received_at);
CREATE INDEX photos_report ON photos (report_id);
CREATE INDEX photos_remove_post ON photos (remove_post) WHERE remove_post = 1;
