-- The QR service's registry: revisions that order every change to a station, admin API
-- tokens (hashed), and the audit trail of QR code rotations.

-- A station's revision grows with every change. It comes from a sequence, not from
-- "revision + 1", so a number handed out in a transaction that was rolled back is never
-- handed out again: a reader that holds two descriptions of a station keeps the higher one.
CREATE SEQUENCE station_revisions;

ALTER TABLE stations ADD COLUMN revision bigint NOT NULL DEFAULT nextval('station_revisions');

CREATE FUNCTION stations_next_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.revision := nextval('station_revisions');
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- Every UPDATE, through the API or by hand in SQL, gets a new revision.
CREATE TRIGGER stations_revision BEFORE UPDATE ON stations
    FOR EACH ROW EXECUTE FUNCTION stations_next_revision();

-- Admin API tokens. Only the SHA-256 of a token is kept: tokens are 256-bit random strings,
-- so a fast hash is enough (no dictionary to guess from), and a stolen table grants nothing.
CREATE TABLE admin_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Who rotated which station's QR code, when, and why.
CREATE TABLE qr_rotations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_code  text NOT NULL REFERENCES stations (code),
    from_version  integer NOT NULL,
    to_version    integer NOT NULL CHECK (to_version = from_version + 1),
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    token_id      bigint REFERENCES admin_tokens (id),
    rotated_by    text NOT NULL,
    rotated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX qr_rotations_station ON qr_rotations (station_code, rotated_at);
