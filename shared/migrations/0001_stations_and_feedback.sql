-- The station registry and the feedback facts, with visitors' personal data kept apart.

CREATE TABLE zones (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z][A-Za-z0-9 -]{0,31}$'),
    name_en     text NOT NULL,
    name_hi     text NOT NULL,
    acp_name    text NOT NULL DEFAULT '',
    acp_mobile  text NOT NULL DEFAULT '',
    acp_email   text NOT NULL DEFAULT '',
    dcp_name    text NOT NULL DEFAULT '',
    dcp_mobile  text NOT NULL DEFAULT '',
    dcp_email   text NOT NULL DEFAULT ''
);

CREATE TABLE stations (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{1,32}$'),
    name_en     text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    name_hi     text NOT NULL CHECK (length(name_hi) BETWEEN 1 AND 200),
    zone        text NOT NULL REFERENCES zones (code),
    kind        text NOT NULL DEFAULT 'police' CHECK (kind IN ('police', 'cyber', 'women')),
    address     text NOT NULL DEFAULT '',
    sho_name    text NOT NULL DEFAULT '',
    sho_mobile  text NOT NULL DEFAULT '',
    sho_email   text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    qr_version  integer NOT NULL DEFAULT 1 CHECK (qr_version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stations_zone ON stations (zone);

-- One row per accepted feedback event; no name or mobile number here.
CREATE TABLE feedback (
    event_id          uuid PRIMARY KEY,
    station_code      text NOT NULL REFERENCES stations (code),
    qr_version        integer NOT NULL,
    submitted_at      timestamptz NOT NULL,
    stored_at         timestamptz NOT NULL DEFAULT now(),
    rating            smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    complaint_date    date,
    complaint_type    text NOT NULL,
    officer_name      text CHECK (length(officer_name) <= 100),
    comments          text CHECK (length(comments) <= 2000),
    cleanliness       smallint CHECK (cleanliness BETWEEN 1 AND 5),
    staff_available   boolean NOT NULL,
    staff_helped      boolean NOT NULL,
    problem_resolved  boolean NOT NULL,
    language          text NOT NULL CHECK (language IN ('hi', 'en'))
);
CREATE INDEX feedback_station_time ON feedback (station_code, submitted_at);

-- Personal data: only the application role reads this table; the purge job blanks name and
-- mobile after the retention period while the keyed hash and the facts stay.
CREATE TABLE feedback_personal (
    event_id     uuid PRIMARY KEY REFERENCES feedback (event_id) ON DELETE CASCADE,
    name         text CHECK (length(name) <= 100),
    mobile       text CHECK (mobile ~ '^\+91[6-9][0-9]{9}$'),
    mobile_hash  text NOT NULL,
    stored_at    timestamptz NOT NULL DEFAULT now(),
    purged_at    timestamptz
);
CREATE INDEX feedback_personal_mobile_hash ON feedback_personal (mobile_hash);
CREATE INDEX feedback_personal_unpurged ON feedback_personal (stored_at) WHERE purged_at IS NULL;
