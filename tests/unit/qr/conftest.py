"""Fixtures of the QR service's unit tests."""

from __future__ import annotations

import socket

import psycopg2
import pytest


@pytest.fixture
def no_sockets(monkeypatch):
    """Opening a socket fails the test: Python's own (Kafka's and HTTP clients) and
    PostgreSQL's, whose C library would not go through Python's. The use cases run on
    fakes alone."""

    def refuse(*args, **kwargs):
        raise AssertionError("a unit test opened a connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(psycopg2, "connect", refuse)
