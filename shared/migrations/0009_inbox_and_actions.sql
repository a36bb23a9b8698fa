-- The police inbox (keyset pages over the feedback facts) and what police did about it:
-- an SHO's action on a feedback or on an alert, and the feedback cell's call back.

-- Keyset paging, newest first, city-wide and per station: (submitted_at, event_id) orders
-- every row once, so a page starts strictly after the last one shown (no OFFSET).
CREATE INDEX feedback_inbox_time ON feedback (submitted_at DESC, event_id DESC);
CREATE INDEX feedback_inbox_station ON feedback (station_code, submitted_at DESC, event_id DESC);

-- What an SHO did about one feedback or one alert of their station (never both): the
-- words (contact details masked before they are stored) and the day it was done.
CREATE TABLE station_actions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_code  text NOT NULL REFERENCES stations (code),
    event_id      uuid REFERENCES feedback (event_id) ON DELETE CASCADE,
    alert_id      uuid REFERENCES alerts (id) ON DELETE CASCADE,
    action_text   text NOT NULL CHECK (length(action_text) BETWEEN 5 AND 1000),
    taken_on      date NOT NULL,
    recorded_by   text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((event_id IS NULL) <> (alert_id IS NULL))
);
CREATE INDEX station_actions_event ON station_actions (event_id, id) WHERE event_id IS NOT NULL;
CREATE INDEX station_actions_alert ON station_actions (alert_id, id) WHERE alert_id IS NOT NULL;
CREATE INDEX station_actions_station ON station_actions (station_code, recorded_at DESC);

-- The feedback cell's call to a visitor and how it went; the note is masked as above and
-- never holds the visitor's name (removed before it is stored).
CREATE TABLE feedback_callbacks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      uuid NOT NULL REFERENCES feedback (event_id) ON DELETE CASCADE,
    station_code  text NOT NULL REFERENCES stations (code),
    outcome       text NOT NULL
                  CHECK (outcome IN ('satisfied', 'not_satisfied', 'no_answer', 'wrong_number',
                                     'declined')),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    called_by     text NOT NULL CHECK (length(called_by) BETWEEN 1 AND 200),
    called_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_callbacks_event ON feedback_callbacks (event_id, id);
CREATE INDEX feedback_callbacks_station ON feedback_callbacks (station_code, called_at DESC);

-- The officer filter (part of a name as typed, any case): a trigram index finds a rare name
-- without walking every row newest first (a common one is found by the time index).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX feedback_officer_trgm ON feedback USING gin (officer_name gin_trgm_ops);
