-- Photos sent with reports (issue 24); the same table as SQLite's 0013_photos.sql. Never the photo itself,
-- and never where it was taken: a perceptual signature (verification/photos.py) kept SIGNATURE_KEPT
-- (180 days) for the reuse check, what the card says of it (capture time, camera, whether the file had
-- GPS coordinates: yes or no, never them) kept as long as the report's text, and the id of its post in
-- the private queue channel, which retention and /forget-me delete from Discord (remove_post).
CREATE TABLE photos (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community     bigint      NOT NULL,
    report_id     bigint      NOT NULL REFERENCES reports(id),
    position      integer     NOT NULL,             -- 1 (photo) or 2 (photo2)
    received_at   timestamptz NOT NULL,
    signature     bytea,                            -- NULL once expired or forgotten
    taken_local   timestamp,                        -- the camera's clock, no zone
    taken_offset  integer,                          -- its UTC offset in minutes, when the file said
    camera        text,
    had_gps       boolean     NOT NULL,
    match_number  integer,                          -- the incident of the earlier photo this one repeats
    match_sent_at timestamptz,
    queue_channel bigint,
    queue_message bigint,
    remove_post   boolean     NOT NULL DEFAULT false,  -- its queue post is to be deleted from Discord
    removed_at    timestamptz                       -- when retention or /forget-me removed it
);
CREATE INDEX photos_community ON photos (community, received_at);
CREATE INDEX photos_report ON photos (report_id);
CREATE INDEX photos_remove_post ON photos (id) WHERE remove_post;
