"""The rights page (``/rights``): a visitor proves their number with a one-time SMS code,
then sees the feedback they gave and may erase their name and number from it.

Public, like the form: the code is what lets a visitor in, and the token it gives names one
keyed mobile hash only. The visitor has no session, so every form carries a double-submit
nonce (a random value in a Strict, HttpOnly cookie scoped to ``/rights`` and in the form),
as the sign-in form does. The token rides in its own HttpOnly, Strict cookie for
``token_ttl_s``. No JavaScript; Hindi first, English with ``lang=en``.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping

from flask import Blueprint, Response, current_app, redirect, request, url_for

from services.intake.adapters.rights_postgres import PostgresRights
from services.intake.adapters.rights_redis import RedisCodes
from services.intake.adapters.rights_sms import ConsoleCodeSender, HttpCodeSender, SmsSettings
from services.intake.config import IntakeConfig
from services.intake.entrypoints.pages import Pages, language
from services.intake.rights import CodeSender, Refusal, Rights, RightsUnavailable, masked
from shared.auth import access
from shared.clock import utc_now
from shared.complaint_types import COMPLAINT_TYPES, complaint_type_label
from shared.config import Env
from shared.mobile import InvalidMobile, normalise_mobile
from shared.redis_io import redis_client

log = logging.getLogger(__name__)

NONCE_COOKIE = "prk_rights"
TOKEN_COOKIE = "prk_rights_token"  # noqa: S105 - a cookie's name
_PATH = "/rights"
_NONCE = re.compile(r"[A-Za-z0-9_-]{32}")


def build_rights(config: IntakeConfig, env: Mapping[str, str] | None = None) -> Rights:
    """The real adapters: Redis for the codes, PostgreSQL for the feedback, the notifier's
    SMS gateway settings for sending (none configured: the console sender)."""
    e = Env.current(env)
    url = e.str("NOTIFIER_SMS_URL", "")
    sender: CodeSender = ConsoleCodeSender()
    if url:
        sender = HttpCodeSender(
            SmsSettings(
                url=url,
                api_key=e.str("NOTIFIER_SMS_API_KEY", ""),
                sender_id=e.str("NOTIFIER_SMS_SENDER_ID", "GGNPOL"),
                dlt_template_id=e.str(
                    "INTAKE_RIGHTS_SMS_DLT_TEMPLATE_ID", e.str("NOTIFIER_SMS_DLT_TEMPLATE_ID", "")
                ),
            )
        )
    return Rights(
        codes=RedisCodes(redis_client(config.connections.redis_url)),
        records=PostgresRights(config.connections.database_url),
        sender=sender,
        clock=utc_now,
        mobile_hash_key=config.mobile_hash_key,
    )


def _secure() -> bool:
    gate = current_app.extensions.get("pratikriya.gate")
    return bool(gate.policy.cookie_secure) if gate is not None else True


def _form_lang() -> str:
    lang = request.form.get("language", "")
    return lang if lang in ("hi", "en") else "hi"


def rights_blueprint(rights: Rights, pages: Pages) -> Blueprint:
    blueprint = Blueprint("rights", __name__)
    minutes = rights.rules.code_ttl_s // 60

    def page(step: str, status: int = 200, *, lang: str, **context) -> Response:
        kept = request.cookies.get(NONCE_COOKIE, "")
        nonce = kept if _NONCE.fullmatch(kept) else secrets.token_urlsafe(24)
        context.setdefault("error", None)
        context.setdefault("erased", None)
        context.setdefault("given", [])
        other = "en" if lang == "hi" else "hi"
        response = pages.render(
            "rights.html", status, lang=lang, step=step, nonce=nonce, minutes=minutes,
            other_lang_url=url_for("rights.mine" if step == "mine" else "rights.start",
                                   lang=other),
            type_label=lambda code: complaint_type_label(code, lang)
            if code in COMPLAINT_TYPES else code,
            **context,
        )  # fmt: skip
        response.set_cookie(NONCE_COOKIE, nonce, max_age=3600, path=_PATH, secure=_secure(),
                            httponly=True, samesite="Strict")  # fmt: skip
        response.headers["Cache-Control"] = "no-store"
        return response

    def form_is_ours() -> bool:
        sent, kept = request.form.get("csrf_token", ""), request.cookies.get(NONCE_COOKIE, "")
        return bool(_NONCE.fullmatch(kept)) and secrets.compare_digest(kept, sent)

    def unavailable(lang: str, step: str = "mobile") -> Response:
        return page(step, 503, lang=lang, error="unavailable")

    @blueprint.get(_PATH)
    @access.public
    def start() -> Response:
        return page("mobile", lang=language())

    @blueprint.post(f"{_PATH}/code")
    @access.public
    def send_code() -> Response:
        lang = _form_lang()
        if not form_is_ours():
            return page("mobile", 403, lang=lang, error="expired_form")
        try:
            mobile = normalise_mobile(request.form.get("mobile", "")[:32])
        except InvalidMobile:
            return page("mobile", 422, lang=lang, error="invalid_mobile")
        try:
            rights.send_code(mobile, request.remote_addr or "unknown", lang)
        except Refusal as refused:
            return page("mobile", refused.status, lang=lang, error=refused.reason)
        except RightsUnavailable as down:
            log.warning("rights: no code sent: %s", down)
            return unavailable(lang)
        return page("code", lang=lang, mobile=mobile, masked=masked(mobile))

    @blueprint.post(f"{_PATH}/verify")
    @access.public
    def verify() -> Response:
        lang = _form_lang()
        if not form_is_ours():
            return page("mobile", 403, lang=lang, error="expired_form")
        try:
            mobile = normalise_mobile(request.form.get("mobile", "")[:32])
        except InvalidMobile:
            return page("mobile", 422, lang=lang, error="invalid_mobile")
        try:
            token = rights.verify(mobile, request.form.get("code", "").strip()[:12])
        except Refusal as refused:
            if refused.reason == "code_wrong":
                return page("code", refused.status, lang=lang, error=refused.reason,
                            mobile=mobile, masked=masked(mobile))  # fmt: skip
            return page("mobile", refused.status, lang=lang, error=refused.reason)
        except RightsUnavailable as down:
            log.warning("rights: no code checked: %s", down)
            return unavailable(lang)
        response = redirect(url_for("rights.mine", lang=lang), 303)
        response.set_cookie(TOKEN_COOKIE, token, max_age=rights.rules.token_ttl_s, path=_PATH,
                            secure=_secure(), httponly=True, samesite="Strict")  # fmt: skip
        return response  # type: ignore[return-value]

    @blueprint.get(f"{_PATH}/mine")
    @access.public
    def mine() -> Response:
        lang = language()
        try:
            given = rights.given(request.cookies.get(TOKEN_COOKIE))
        except Refusal as refused:
            return page("mobile", refused.status, lang=lang, error=refused.reason)
        except RightsUnavailable as down:
            log.warning("rights: no feedback read: %s", down)
            return unavailable(lang)
        return page("mine", lang=lang, given=given)

    @blueprint.post(f"{_PATH}/erase")
    @access.public
    def erase() -> Response:
        lang = _form_lang()
        token = request.cookies.get(TOKEN_COOKIE)
        if not form_is_ours():
            return page("mobile", 403, lang=lang, error="expired_form")
        try:
            erased = rights.erase(token)
            given = rights.given(token)
        except Refusal as refused:
            return page("mobile", refused.status, lang=lang, error=refused.reason)
        except RightsUnavailable as down:
            log.warning("rights: nothing erased: %s", down)
            return unavailable(lang)
        log.info("rights: a visitor erased their name and number from %d feedback", erased)
        return page("mine", lang=lang, given=given, erased=erased)

    return blueprint
