-- The feedback facts partitioned by month of submitted_at (UTC months), so that old feedback
-- leaves by dropping a month's partition (./pratikriya partitions drop, ops/partitions.py)
-- instead of a DELETE over millions of rows. A default partition takes any row whose month
-- has no partition yet, so an accepted feedback is never refused for its date; the analytics
-- consumer creates the coming months' partitions ahead (feedback_month_partitions below).
--
-- A unique key of a partitioned table must hold its partition key, so the primary key is
-- (event_id, submitted_at): an event's submitted_at is set once by intake and travels in
-- the event, so a replayed event meets its own row and is stored once (ON CONFLICT on both).
-- The tables that name a feedback carry its submitted_at beside its event id, for their
-- foreign keys; for the three the police write to, a trigger fills it from the feedback.

-- What depends on the table steps aside.
DROP VIEW analyst.feedback, analyst.daily_station_scores, analyst.complaint_types_monthly;
ALTER TABLE feedback_personal DROP CONSTRAINT feedback_personal_event_id_fkey;
ALTER TABLE station_actions DROP CONSTRAINT station_actions_event_id_fkey;
ALTER TABLE feedback_callbacks DROP CONSTRAINT feedback_callbacks_event_id_fkey;
ALTER TABLE direction_feedback DROP CONSTRAINT direction_feedback_event_id_fkey;
ALTER TABLE feedback RENAME TO feedback_unpartitioned;

CREATE TABLE feedback (
    event_id          uuid NOT NULL,
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
    language          text NOT NULL CHECK (language IN ('hi', 'en')),
    officer_key       text,       -- '' when no officer was named
    comment_key       text,       -- space-separated word keys of the comment
    text_key_version  smallint
) PARTITION BY RANGE (submitted_at);
CREATE TABLE feedback_default PARTITION OF feedback DEFAULT;

-- feedback_yYYYYmMM for ``months`` months from the month of ``first_month``, each created
-- once (an advisory lock: several consumers may call at once); a month whose rows already
-- sit in the default partition is left there (creating it would have to move them). Owned
-- by the schema's owner, so the consumer may call it without owning the table. Returns how
-- many partitions it created.
CREATE FUNCTION feedback_month_partitions(first_month date, months integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    made    integer := 0;
    month   date;
    part    text;
    starts  timestamptz;
    ends    timestamptz;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        month := (date_trunc('month', first_month) + make_interval(months => i))::date;
        part := format('feedback_y%sm%s', to_char(month, 'YYYY'), to_char(month, 'MM'));
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        PERFORM pg_advisory_xact_lock(7301999);
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        starts := month::timestamp AT TIME ZONE 'UTC';
        ends := (month + interval '1 month')::timestamp AT TIME ZONE 'UTC';
        CONTINUE WHEN EXISTS (
            SELECT 1 FROM feedback_default WHERE submitted_at >= starts AND submitted_at < ends
        );
        EXECUTE format('CREATE TABLE %I PARTITION OF feedback FOR VALUES FROM (%L) TO (%L)',
                       part, starts, ends);
        made := made + 1;
    END LOOP;
    RETURN made;
END
$$;
REVOKE ALL ON FUNCTION feedback_month_partitions(date, integer) FROM PUBLIC;

-- Every month the stored feedback spans (and at least the last one), up to three months
-- ahead of this one.
WITH span AS (
    SELECT date_trunc('month', least(coalesce(min(submitted_at), now()),
                                     now() - interval '1 month') AT TIME ZONE 'UTC') AS first,
           date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months' AS last
    FROM feedback_unpartitioned
)
SELECT feedback_month_partitions(first::date,
    (12 * (extract(year FROM last) - extract(year FROM first))
     + extract(month FROM last) - extract(month FROM first))::int + 1)
FROM span;

INSERT INTO feedback SELECT event_id, station_code, qr_version, submitted_at, stored_at, rating,
    complaint_date, complaint_type, officer_name, comments, cleanliness, staff_available,
    staff_helped, problem_resolved, language, officer_key, comment_key, text_key_version
FROM feedback_unpartitioned;

-- The tables that name a feedback: its submitted_at beside its event id.
ALTER TABLE feedback_personal ADD COLUMN submitted_at timestamptz;
UPDATE feedback_personal p SET submitted_at = f.submitted_at
FROM feedback_unpartitioned f WHERE f.event_id = p.event_id;
ALTER TABLE feedback_personal ALTER COLUMN submitted_at SET NOT NULL;

ALTER TABLE station_actions ADD COLUMN submitted_at timestamptz;
UPDATE station_actions a SET submitted_at = f.submitted_at
FROM feedback_unpartitioned f WHERE f.event_id = a.event_id;
ALTER TABLE station_actions ADD CHECK ((event_id IS NULL) = (submitted_at IS NULL));

ALTER TABLE feedback_callbacks ADD COLUMN submitted_at timestamptz;
UPDATE feedback_callbacks c SET submitted_at = f.submitted_at
FROM feedback_unpartitioned f WHERE f.event_id = c.event_id;
ALTER TABLE feedback_callbacks ALTER COLUMN submitted_at SET NOT NULL;

ALTER TABLE direction_feedback ADD COLUMN submitted_at timestamptz;
UPDATE direction_feedback d SET submitted_at = f.submitted_at
FROM feedback_unpartitioned f WHERE f.event_id = d.event_id;
ALTER TABLE direction_feedback ALTER COLUMN submitted_at SET NOT NULL;

DROP TABLE feedback_unpartitioned;

-- The keys and indexes, as they were, now on every partition.
ALTER TABLE feedback ADD PRIMARY KEY (event_id, submitted_at);
CREATE INDEX feedback_station_time ON feedback (station_code, submitted_at);
CREATE INDEX feedback_station_officer ON feedback (station_code, officer_key)
    WHERE officer_key <> '';
CREATE INDEX feedback_comment_key_words ON feedback
    USING gin (to_tsvector('simple', coalesce(comment_key, '')));
CREATE INDEX feedback_text_keys_stale ON feedback (text_key_version);
CREATE INDEX feedback_inbox_time ON feedback (submitted_at DESC, event_id DESC);
CREATE INDEX feedback_inbox_station ON feedback (station_code, submitted_at DESC, event_id DESC);
CREATE INDEX feedback_officer_trgm ON feedback USING gin (officer_name gin_trgm_ops);

ALTER TABLE feedback_personal ADD FOREIGN KEY (event_id, submitted_at)
    REFERENCES feedback (event_id, submitted_at) ON DELETE CASCADE;
ALTER TABLE station_actions ADD FOREIGN KEY (event_id, submitted_at)
    REFERENCES feedback (event_id, submitted_at) ON DELETE CASCADE;
ALTER TABLE feedback_callbacks ADD FOREIGN KEY (event_id, submitted_at)
    REFERENCES feedback (event_id, submitted_at) ON DELETE CASCADE;
ALTER TABLE direction_feedback ADD FOREIGN KEY (event_id, submitted_at)
    REFERENCES feedback (event_id, submitted_at) ON DELETE CASCADE;
-- A month leaves with its rows here too (ops/partitions.py deletes them by submitted_at).
CREATE INDEX feedback_personal_month ON feedback_personal (submitted_at);
CREATE INDEX station_actions_month ON station_actions (submitted_at)
    WHERE submitted_at IS NOT NULL;
CREATE INDEX feedback_callbacks_month ON feedback_callbacks (submitted_at);
CREATE INDEX direction_feedback_month ON direction_feedback (submitted_at);

-- An action, a call back or a direction names a feedback by its event id; its submitted_at
-- is looked up here (across the months: the key's index leads with event_id), and a
-- feedback that does not exist is refused as the old foreign key refused it.
CREATE FUNCTION feedback_time_of_event() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.event_id IS NOT NULL AND NEW.submitted_at IS NULL THEN
        SELECT f.submitted_at INTO NEW.submitted_at FROM feedback f
        WHERE f.event_id = NEW.event_id;
        IF NOT FOUND THEN
            RAISE foreign_key_violation
                USING MESSAGE = format('no feedback %s in table "feedback"', NEW.event_id);
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER station_actions_feedback_time BEFORE INSERT ON station_actions
    FOR EACH ROW EXECUTE FUNCTION feedback_time_of_event();
CREATE TRIGGER feedback_callbacks_feedback_time BEFORE INSERT ON feedback_callbacks
    FOR EACH ROW EXECUTE FUNCTION feedback_time_of_event();
CREATE TRIGGER direction_feedback_feedback_time BEFORE INSERT ON direction_feedback
    FOR EACH ROW EXECUTE FUNCTION feedback_time_of_event();

-- The planner's figures for the moved rows (autovacuum analyzes the months, not the parent).
ANALYZE feedback;

-- The analysts' views, as 0003 made them, over the partitioned table.
CREATE VIEW analyst.feedback AS
SELECT f.event_id,
       f.station_code,
       s.zone,
       f.submitted_at,
       (f.submitted_at AT TIME ZONE 'Asia/Kolkata')::date AS submitted_date,
       f.rating,
       f.rating <= 2 AS low_rating,
       f.complaint_date,
       f.complaint_type,
       f.officer_name,
       f.comments,
       f.cleanliness,
       f.staff_available,
       f.staff_helped,
       f.problem_resolved,
       f.language
FROM feedback f
JOIN stations s ON s.code = f.station_code;

CREATE VIEW analyst.daily_station_scores AS
SELECT (f.submitted_at AT TIME ZONE 'Asia/Kolkata')::date AS day,
       f.station_code,
       s.zone,
       count(*) AS count,
       round(avg(f.rating), 3) AS avg_rating,
       count(*) FILTER (WHERE f.rating <= 2) AS low_ratings,
       round(avg((f.rating <= 2)::int), 4) AS low_rating_share,
       count(*) FILTER (WHERE NOT f.problem_resolved) AS unresolved,
       round(avg(f.problem_resolved::int), 4) AS resolved_share,
       round(avg(f.staff_available::int), 4) AS staff_available_share,
       round(avg(f.staff_helped::int), 4) AS staff_helped_share,
       round(avg(f.cleanliness), 3) AS avg_cleanliness
FROM feedback f
JOIN stations s ON s.code = f.station_code
GROUP BY 1, 2, 3;

CREATE VIEW analyst.complaint_types_monthly AS
SELECT date_trunc('month', f.submitted_at AT TIME ZONE 'Asia/Kolkata')::date AS month,
       f.station_code,
       s.zone,
       f.complaint_type,
       count(*) AS count,
       count(*) FILTER (WHERE f.rating <= 2) AS low_ratings,
       count(*) FILTER (WHERE NOT f.problem_resolved) AS unresolved,
       round(avg(f.rating), 3) AS avg_rating
FROM feedback f
JOIN stations s ON s.code = f.station_code
GROUP BY 1, 2, 3, 4;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pratikriya_analyst') THEN
        GRANT SELECT ON analyst.feedback, analyst.daily_station_scores,
            analyst.complaint_types_monthly TO pratikriya_analyst;
    END IF;
END
$$;
