"""The operations service: the operations page (``/ops``), the consumer-lag history behind
it, and the lag as Prometheus metrics. Run under gunicorn as
``gunicorn 'ops.console.http:wsgi()'`` (``./pratikriya up`` does, on OPS_PORT, 8005)."""
