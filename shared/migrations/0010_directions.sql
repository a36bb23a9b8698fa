-- Directions: the Commissioner's office (or a DCP, for their zone) directs a station or a
-- zone to do something, for a reason, by a date, resting on feedback and alerts it names.
-- Each station it reaches acknowledges it and reports compliance. A direction is overdue
-- when India's date is past its due date and a station it reaches has not reported
-- compliance; the notifier then tells those stations' SHOs and the issuer, once.
-- No visitor's name or number here: feedback is named by its event id, and the texts are
-- masked (phone numbers, emails, ID-like numbers) before they are stored.

CREATE TABLE directions (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- to one station, or to every station of one zone (never both)
    station_code       text REFERENCES stations (code),
    zone               text REFERENCES zones (code),
    what_text          text NOT NULL CHECK (length(what_text) BETWEEN 5 AND 2000),
    why_text           text NOT NULL CHECK (length(why_text) BETWEEN 5 AND 2000),
    due_on             date NOT NULL,              -- India's date
    -- the moment before and after which the scores are compared
    issued_at          timestamptz NOT NULL DEFAULT now(),
    issued_on          date NOT NULL,              -- India's date of issued_at
    issuer_kind        text NOT NULL CHECK (issuer_kind IN ('account', 'token')),
    issuer_id          bigint NOT NULL,            -- accounts.id or api_tokens.id
    issuer_name        text NOT NULL CHECK (length(issuer_name) BETWEEN 1 AND 200),
    issuer_role        text NOT NULL CHECK (issuer_role IN ('commissioner', 'dcp')),
    issuer_zone        text REFERENCES zones (code),  -- a DCP's zone; NULL for the commissioner
    CHECK ((station_code IS NULL) <> (zone IS NULL)),
    CHECK ((issuer_role = 'dcp') = (issuer_zone IS NOT NULL)),
    CHECK (due_on >= issued_on)
);
CREATE INDEX directions_station ON directions (station_code, issued_at DESC)
    WHERE station_code IS NOT NULL;
CREATE INDEX directions_zone ON directions (zone, issued_at DESC) WHERE zone IS NOT NULL;
CREATE INDEX directions_due ON directions (due_on);

-- What a direction rests on: feedback (by event id) and alerts. A feedback erased on its
-- visitor's request drops out of the list; the direction stays.
CREATE TABLE direction_feedback (
    direction_id  bigint NOT NULL REFERENCES directions (id),
    event_id      uuid NOT NULL REFERENCES feedback (event_id) ON DELETE CASCADE,
    PRIMARY KEY (direction_id, event_id)
);
CREATE TABLE direction_alerts (
    direction_id  bigint NOT NULL REFERENCES directions (id),
    alert_id      uuid NOT NULL REFERENCES alerts (id),
    PRIMARY KEY (direction_id, alert_id)
);

-- A station's acknowledgement and its compliance report, at most one of each per station
-- and direction: the date it says it was done on, the words, who reported it and when.
CREATE TABLE direction_reports (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    direction_id   bigint NOT NULL REFERENCES directions (id),
    station_code   text NOT NULL REFERENCES stations (code),
    kind           text NOT NULL CHECK (kind IN ('acknowledgement', 'compliance')),
    report_text    text NOT NULL CHECK (length(report_text) BETWEEN 2 AND 2000),
    reported_on    date NOT NULL,                  -- India's date, as the station states it
    reported_by    text NOT NULL CHECK (length(reported_by) BETWEEN 1 AND 200),
    reported_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (direction_id, station_code, kind)
);

-- The overdue notice's bookkeeping: one row per direction once the notifier has decided its
-- notice, written in the same transaction as the deliveries below, so that each direction is
-- noticed once, across restarts.
CREATE TABLE direction_overdue_notices (
    direction_id  bigint PRIMARY KEY REFERENCES directions (id),
    noticed_at    timestamptz NOT NULL DEFAULT now(),
    stations      text[] NOT NULL                  -- the stations that had not complied
);

-- The overdue notices' outbox, like alert_deliveries: each row sent by the notifier's
-- senders with retries; the unique key keeps one message per recipient and channel.
CREATE TABLE direction_deliveries (
    id               uuid PRIMARY KEY,
    direction_id     bigint NOT NULL REFERENCES direction_overdue_notices (direction_id),
    recipient_role   text NOT NULL CHECK (recipient_role IN ('sho', 'dcp', 'commissioner')),
    station_code     text REFERENCES stations (code),   -- the SHO's station
    channel          text NOT NULL CHECK (channel IN ('sms', 'email')),
    address          text NOT NULL,                     -- an official mobile or e-mail
    subject          text NOT NULL DEFAULT '',
    body             text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    idempotency_key  text NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    CHECK ((recipient_role = 'sho') = (station_code IS NOT NULL))
);
CREATE UNIQUE INDEX direction_deliveries_one_per_recipient
    ON direction_deliveries (direction_id, recipient_role, coalesce(station_code, ''), channel);
CREATE INDEX direction_deliveries_due ON direction_deliveries (next_attempt_at)
    WHERE status = 'pending';
