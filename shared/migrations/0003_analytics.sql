-- Analytics: hourly per-station buckets, and the analysts' schema of views without personal data.

-- Sums of one station's feedback submitted within one hour (UTC, truncated). Grown only by
-- the feedback rows the analytics consumer really inserted, in the same transaction.
CREATE TABLE station_hourly_buckets (
    station_code       text NOT NULL REFERENCES stations (code),
    hour               timestamptz NOT NULL CHECK (date_trunc('hour', hour, 'UTC') = hour),
    count              integer NOT NULL DEFAULT 0,
    rating_sum         integer NOT NULL DEFAULT 0,
    low_ratings        integer NOT NULL DEFAULT 0,
    unresolved         integer NOT NULL DEFAULT 0,
    staff_available    integer NOT NULL DEFAULT 0,
    staff_helped       integer NOT NULL DEFAULT 0,
    cleanliness_sum    integer NOT NULL DEFAULT 0,
    cleanliness_count  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (station_code, hour)
);
CREATE INDEX station_hourly_buckets_hour ON station_hourly_buckets (hour);

-- What analysts may read: views only, never feedback_personal, never a visitor's name,
-- mobile number or its hash. Days and months are India's (Asia/Kolkata).
CREATE SCHEMA analyst;

CREATE VIEW analyst.stations AS
SELECT code AS station_code, name_en, name_hi, zone, kind, address, active
FROM stations;

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

-- The fair ranking over the last 30 days (rolling, from the hourly buckets): a Bayesian
-- average of the stars, pulled towards the city-wide mean with the weight of 10 responses;
-- stations with fewer than 10 responses are not ranked. Same formula and defaults as the
-- analytics service (ANALYTICS_RANKING_PRIOR_WEIGHT, ANALYTICS_RANKING_MIN_COUNT).
CREATE VIEW analyst.ranking_30d AS
WITH sums AS (
    SELECT station_code, sum(count) AS count, sum(rating_sum) AS rating_sum,
           sum(low_ratings) AS low_ratings, sum(unresolved) AS unresolved
    FROM station_hourly_buckets
    WHERE hour > date_trunc('hour', now(), 'UTC') - interval '720 hours'
      AND hour <= date_trunc('hour', now(), 'UTC')
    GROUP BY station_code
), city AS (
    SELECT coalesce(sum(rating_sum)::numeric / nullif(sum(count), 0), 3) AS mean FROM sums
), scored AS (
    SELECT s.code AS station_code, s.name_en, s.name_hi, s.zone,
           coalesce(x.count, 0) AS count,
           round(x.rating_sum::numeric / nullif(x.count, 0), 3) AS avg_rating,
           round(x.low_ratings::numeric / nullif(x.count, 0), 4) AS low_rating_share,
           round(1 - x.unresolved::numeric / nullif(x.count, 0), 4) AS resolved_share,
           round((10 * city.mean + coalesce(x.rating_sum, 0)) / (10 + coalesce(x.count, 0)), 3)
               AS score,
           coalesce(x.count, 0) >= 10 AS enough_feedback
    FROM stations s CROSS JOIN city LEFT JOIN sums x ON x.station_code = s.code
    WHERE s.active
)
SELECT scored.*,
       CASE WHEN enough_feedback
            THEN rank() OVER (PARTITION BY enough_feedback ORDER BY score DESC) END AS rank
FROM scored;

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

CREATE VIEW analyst.station_hourly AS
SELECT station_code, hour, count, rating_sum, low_ratings, unresolved, staff_available,
       staff_helped, cleanliness_sum, cleanliness_count
FROM station_hourly_buckets;

-- The analysts' login role is made by the run command (a role with LOGIN needs a superuser);
-- when it already exists (a re-created database), grant it the views here.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pratikriya_analyst') THEN
        GRANT USAGE ON SCHEMA analyst TO pratikriya_analyst;
        GRANT SELECT ON ALL TABLES IN SCHEMA analyst TO pratikriya_analyst;
    END IF;
END
$$;
