"""The HTTP kit every service is built on: the app factory's common part, health, readiness
and metrics routes, JSON error bodies, a body-size cap and the security headers.

A service's ``create_app`` calls :func:`make_app`, registers its own blueprints and returns.
Anything every service must do for every request (the police login check, next) goes here,
once, not into the services.
"""

from shared.web.app import HttpSettings, make_app
from shared.web.args import AsciiInteger, int_arg, whole_number
from shared.web.errors import json_error
from shared.web.health import Readiness, readiness_answer
from shared.web.metrics import render_metrics

__all__ = [
    "AsciiInteger",
    "HttpSettings",
    "Readiness",
    "int_arg",
    "json_error",
    "make_app",
    "readiness_answer",
    "render_metrics",
    "whole_number",
]
