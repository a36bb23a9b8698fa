"""Redis plumbing: one client per process with short timeouts, so a Redis outage shows up
as a quick error the caller can answer, not a hung request."""

import redis


def redis_client(redis_url: str, *, timeout_s: float = 1.0) -> redis.Redis:
    return redis.Redis.from_url(
        redis_url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        health_check_interval=30,
        decode_responses=True,
    )
