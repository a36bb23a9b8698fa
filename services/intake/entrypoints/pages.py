"""Intake's HTML pages: the form, the thank-you page and the problem page, in the visitor's
language. No JavaScript: every page works with it switched off."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from services.intake import i18n
from shared.complaint_types import complaint_type_choices
from shared.events import Station
from shared.india import today_in_india

# A status the visitor should come back after, in Retry-After.
_RETRY = (429, 503)


def language() -> str:
    """The page's language from the query string only: reading the body here could raise
    again inside a 413 page."""
    lang = request.args.get("lang", "hi")
    return lang if lang in ("hi", "en") else "hi"


@dataclass(frozen=True)
class Pages:
    retry_after_s: int
    retention_days: int

    def render(self, template: str, http_status: int = 200, **context: Any) -> Response:
        lang = context.pop("lang", None) or language()
        html = render_template(
            template,
            lang=lang,
            t=i18n.bind(lang),
            css_url=url_for("static", filename="form.css"),
            other_lang_url=context.pop("other_lang_url", None),
            **context,
        )
        response = Response(html, status=http_status, mimetype="text/html")
        if http_status in _RETRY:
            response.headers["Retry-After"] = str(self.retry_after_s)
        return response

    def problem(self, kind: str, status: int) -> Response:
        """The bilingual page shown instead of the form (see problem.html for ``kind``)."""
        return self.render("problem.html", status, status=status, kind=kind)

    def http_error(self, error: HTTPException) -> Response:
        status = error.code or 500
        return self.problem({413: "too_large", 404: "unknown_station"}.get(status, "bad_request"),
                            status)  # fmt: skip

    def form(
        self,
        station: Station,
        qr_version: int,
        sig: str,
        *,
        lang: str,
        status: int = 200,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, list[str]] | None = None,
        banner: str | None = None,
        token: str | None = None,
    ) -> Response:
        query = {"v": qr_version, "sig": sig, "lang": "en" if lang == "hi" else "hi"}
        today = today_in_india()
        return self.render(
            "form.html",
            status,
            lang=lang,
            other_lang_url=url_for(".form", code=station.code) + "?" + urlencode(query),
            station=station,
            action_url=url_for(".submit_form", code=station.code),
            qr_version=qr_version,
            sig=sig,
            form_token=token or uuid.uuid4().hex,
            values=values or {},
            errors=errors or {},
            banner=banner,
            complaint_types=complaint_type_choices(lang),
            today=today.isoformat(),
            min_date=(today - timedelta(days=365)).isoformat(),
            retention_days=self.retention_days,
            rights_url=url_for("rights.start", lang=lang),
        )

    def thanks(self, station: Station, feedback_id: str, lang: str) -> Response:
        return self.render("thanks.html", lang=lang, station=station, feedback_id=feedback_id)
