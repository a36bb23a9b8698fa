-- The weekly digest's email outbox (services/notifier/digest_mail.py): one row per week and
-- recipient, queued at 09:00 India time on the Monday after the week; the PDF is built when
-- it is sent (a past week's digest reads the same later). No visitor's data here.

CREATE TABLE digest_emails (
    id               uuid PRIMARY KEY,
    week             date NOT NULL CHECK (extract(isodow FROM week) = 1),  -- its Monday
    scope            text NOT NULL,     -- 'city' (the Commissioner's office) or a zone's code
    address          text NOT NULL,     -- the office's or the DCP's official e-mail
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    idempotency_key  text NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    UNIQUE (week, scope, address)        -- a week is never queued twice for one recipient
);
CREATE INDEX digest_emails_due ON digest_emails (next_attempt_at) WHERE status = 'pending';
