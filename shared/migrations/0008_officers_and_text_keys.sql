-- Officers gathered from the names visitors typed, and comments found in any script
-- (shared/textkeys.py). The keys are computed in Python, so this migration only makes room:
-- the analytics consumer fills them for every new feedback, and for the rows stored before
-- (text_key_version NULL) or under older rules (a smaller version) a batch at a time.
ALTER TABLE feedback
    ADD COLUMN officer_key text,       -- '' when no officer was named
    ADD COLUMN comment_key text,       -- space-separated word keys of the comment
    ADD COLUMN text_key_version smallint;

CREATE INDEX feedback_station_officer ON feedback (station_code, officer_key)
    WHERE officer_key <> '';
-- The inbox's search: every word key of a query among a comment's (simple: no stemming,
-- the keys are already folded).
CREATE INDEX feedback_comment_key_words ON feedback
    USING gin (to_tsvector('simple', coalesce(comment_key, '')));
CREATE INDEX feedback_text_keys_stale ON feedback (text_key_version);

-- The admin's corrections to the automatic gathering, per station: a name key belongs to
-- the officer ``officer_key``. A row mapping a key to itself keeps that name an officer of
-- its own (a split); rows mapping several keys to one merge them.
CREATE TABLE officer_aliases (
    station_code text NOT NULL REFERENCES stations (code),
    name_key     text NOT NULL CHECK (name_key <> ''),
    officer_key  text NOT NULL CHECK (officer_key <> ''),
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_code, name_key)
);
