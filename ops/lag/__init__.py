"""Consumer lag: reading it from Kafka (reader), judging it Burrow-style (status), keeping
its last hour (history), exporting it to Prometheus (metrics), and ``./pratikriya lag``
(command, also ``python -m ops.lag``)."""
