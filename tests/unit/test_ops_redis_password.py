"""Every service's REDIS_URL carries Redis's password: added to a URL without one, a
deployment's own URL left as it is."""

from __future__ import annotations

from urllib.parse import urlsplit

from ops.cli import with_redis_password


def test_a_url_without_a_password_gets_it():
    url = with_redis_password("redis://127.0.0.1:16379/0", "s3cret-Pass_word")
    assert url == "redis://:s3cret-Pass_word@127.0.0.1:16379/0"


def test_characters_that_mean_something_in_a_url_are_quoted():
    url = with_redis_password("redis://cache:6379/1", "a/b@c:d")
    parts = urlsplit(url)
    assert (parts.hostname, parts.port, parts.path) == ("cache", 6379, "/1")
    assert parts.password == "a%2Fb%40c%3Ad"


def test_a_url_that_carries_its_own_password_is_kept():
    url = "redis://:theirs@redis:6379/0"
    assert with_redis_password(url, "ours") == url
