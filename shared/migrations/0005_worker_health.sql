-- Every worker's health in one place (shared.consumer.health): counters of work done,
-- the heartbeat time (Unix seconds) and the consumer lag, one row per worker and figure.
-- It replaces the notifier's heartbeat row and the analytics consumer's Redis hash.
CREATE TABLE worker_health (
    worker  text NOT NULL,
    figure  text NOT NULL,
    value   double precision NOT NULL,
    PRIMARY KEY (worker, figure)
);

DROP TABLE notifier_worker;
