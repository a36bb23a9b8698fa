"""The rights page's codes out by SMS, through the gateway the notifier uses, with the same
HTTP protocol and settings (``NOTIFIER_SMS_URL``, ``_API_KEY``, ``_SENDER_ID``, and the DLT
template: ``INTAKE_RIGHTS_SMS_DLT_TEMPLATE_ID``, else the notifier's). Without a gateway
the console sender logs that a code was sent and to which masked number, never the code."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from services.intake.rights import RightsUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsSettings:
    url: str
    api_key: str
    sender_id: str
    dlt_template_id: str
    timeout_s: float = 5.0


class HttpCodeSender:
    """POSTs ``{"to", "text", "sender_id", "dlt_template_id", "unicode"}`` as JSON with
    ``Authorization: Bearer`` and an ``Idempotency-Key`` (each code is a new message)."""

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings

    def send_code(self, mobile: str, text: str) -> None:
        body = json.dumps(
            {"to": mobile, "text": text, "sender_id": self.settings.sender_id,
             "dlt_template_id": self.settings.dlt_template_id, "unicode": True},
            ensure_ascii=False,
        ).encode()  # fmt: skip
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's config
            self.settings.url, data=body, method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.settings.api_key}",
                "Idempotency-Key": f"rights-{uuid.uuid4().hex}",
            },
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as refused:
            raise RightsUnavailable(f"SMS gateway answered {refused.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise RightsUnavailable(f"SMS gateway unreachable: {type(exc).__name__}") from None
        log.info("a rights code was sent through the SMS gateway")


class ConsoleCodeSender:
    """No gateway configured (development): the code goes nowhere, so nobody can sign in
    with it; the log says only that one was asked for."""

    def send_code(self, mobile: str, text: str) -> None:
        log.info("a rights code was asked for (console: no SMS gateway configured; none sent)")
