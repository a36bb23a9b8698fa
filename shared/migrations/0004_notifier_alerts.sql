-- The notifier: alerts (one open per station and rule), the deliveries outbox, the latest
-- scores seen per station (for the timer) and the worker's heartbeat. No visitor's data here.

CREATE TABLE notifier_station_scores (
    station_code  text PRIMARY KEY,
    event_id      uuid NOT NULL,
    computed_at   timestamptz NOT NULL,
    windows       jsonb NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alerts (
    id                uuid PRIMARY KEY,
    station_code      text NOT NULL,
    rule              text NOT NULL CHECK (rule IN ('low_rating', 'unresolved')),
    status            text NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'acknowledged', 'resolved')),
    level             smallint NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 2),
    "window"          text NOT NULL,
    observed          jsonb NOT NULL,   -- {"part", "count", "share", "p_value", "windows"}
    baseline          jsonb NOT NULL,   -- {"part", "count", "share"}
    notified_parts    jsonb NOT NULL,   -- per window, the numbers people were last told
    notices           integer NOT NULL DEFAULT 0,
    raised_at         timestamptz NOT NULL,
    level_since       timestamptz NOT NULL,
    last_notified_at  timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    acknowledged_by   text,
    resolved_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- The dedup guard: at most one alert per station and rule that is not resolved.
CREATE UNIQUE INDEX alerts_one_open_per_station_rule
    ON alerts (station_code, rule) WHERE status <> 'resolved';
CREATE INDEX alerts_station_time ON alerts (station_code, raised_at DESC);

-- The outbox: written in the same transaction as the decision that needs it.
CREATE TABLE alert_deliveries (
    id               uuid PRIMARY KEY,
    alert_id         uuid NOT NULL REFERENCES alerts (id),
    notice           integer NOT NULL,  -- the alert's n-th notice (raise, escalation, ...)
    kind             text NOT NULL
                     CHECK (kind IN ('raise', 'repeat', 'worse', 'escalate', 'resolve')),
    level            smallint NOT NULL CHECK (level BETWEEN 0 AND 2),
    recipient_role   text NOT NULL CHECK (recipient_role IN ('sho', 'acp', 'dcp')),
    channel          text NOT NULL CHECK (channel IN ('sms', 'email')),
    address          text NOT NULL,     -- the officer's official mobile or e-mail
    subject          text NOT NULL DEFAULT '',
    body             text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    idempotency_key  text NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    UNIQUE (alert_id, recipient_role, channel, level, notice)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id);

CREATE TABLE notifier_worker (
    id            smallint PRIMARY KEY CHECK (id = 1),
    heartbeat_at  timestamptz NOT NULL,
    consumer_lag  bigint NOT NULL DEFAULT 0
);
