-- Police accounts (people), API tokens (programs), sign-in sessions, and the audit log.
-- Roles and their scopes are shared/auth/roles.py's; the checks below keep a row sane even
-- when it is written by hand in SQL.

CREATE TABLE accounts (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username              text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9._-]{2,39}$'),
    display_name          text NOT NULL DEFAULT '' CHECK (length(display_name) <= 100),
    role                  text NOT NULL CHECK (role IN
                              ('commissioner', 'feedback_cell', 'dcp', 'acp', 'sho', 'admin', 'ops')),
    station_code          text REFERENCES stations (code),
    zone                  text REFERENCES zones (code),
    password_hash         text NOT NULL,
    must_change_password  boolean NOT NULL DEFAULT true,
    disabled_at           timestamptz,
    failed_logins         integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until          timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    password_changed_at   timestamptz NOT NULL DEFAULT now(),
    last_login_at         timestamptz,
    -- an SHO has a station and no zone; a DCP or ACP a zone and no station; others neither
    CONSTRAINT accounts_scope CHECK (
        CASE role
            WHEN 'sho' THEN station_code IS NOT NULL AND zone IS NULL
            WHEN 'dcp' THEN zone IS NOT NULL AND station_code IS NULL
            WHEN 'acp' THEN zone IS NOT NULL AND station_code IS NULL
            ELSE station_code IS NULL AND zone IS NULL
        END)
);

-- The QR service's admin tokens become every service's API tokens, each with a role and a
-- scope like an account's. Existing tokens keep working as admin tokens.
ALTER TABLE admin_tokens RENAME TO api_tokens;
ALTER TABLE api_tokens
    ADD COLUMN role text NOT NULL DEFAULT 'admin' CHECK (role IN
        ('commissioner', 'feedback_cell', 'dcp', 'acp', 'sho', 'admin', 'ops')),
    ADD COLUMN station_code text REFERENCES stations (code),
    ADD COLUMN zone text REFERENCES zones (code),
    ADD COLUMN created_by text NOT NULL DEFAULT '',
    ADD CONSTRAINT api_tokens_scope CHECK (
        CASE role
            WHEN 'sho' THEN station_code IS NOT NULL AND zone IS NULL
            WHEN 'dcp' THEN zone IS NOT NULL AND station_code IS NULL
            WHEN 'acp' THEN zone IS NOT NULL AND station_code IS NULL
            ELSE station_code IS NULL AND zone IS NULL
        END);
ALTER TABLE api_tokens ALTER COLUMN role DROP DEFAULT;

-- A session is found by the SHA-256 of its cookie; the cookie itself is never stored.
CREATE TABLE sessions (
    id_hash       text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    account_id    bigint NOT NULL REFERENCES accounts (id),
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz
);
CREATE INDEX sessions_account ON sessions (account_id) WHERE ended_at IS NULL;

-- Who did what, when: sign-ins, failed sign-ins, every view of a visitor's identity and
-- every admin change. It names feedback by its event id and never holds a visitor's name
-- or number. Rows are only ever added: the trigger refuses UPDATE, DELETE and TRUNCATE.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_kind   text NOT NULL CHECK (actor_kind IN ('account', 'token', 'cli', 'anonymous')),
    actor_id     bigint,
    actor_name   text NOT NULL CHECK (length(actor_name) <= 100),
    action       text NOT NULL CHECK (action ~ '^[a-z_.]{1,60}$'),
    target       text NOT NULL DEFAULT '' CHECK (length(target) <= 200),
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    ip           text NOT NULL DEFAULT '' CHECK (length(ip) <= 64),
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_failed_by_ip ON audit_log (ip, at) WHERE action = 'login.failed';

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
