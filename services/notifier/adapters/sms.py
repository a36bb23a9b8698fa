"""SMS out through an HTTP gateway (the operator's, configured in ``NOTIFIER_SMS_*``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from services.notifier.config import SmsGateway
from services.notifier.ports import Outgoing, PermanentFailure, TransientFailure


class HttpSmsSender:
    """POSTs JSON to an HTTP SMS gateway: ``{"to", "text", "sender_id", "dlt_template_id",
    "unicode"}`` with ``Authorization: Bearer <api key>`` and ``Idempotency-Key``."""

    def __init__(self, gateway: SmsGateway, timeout_s: float) -> None:
        self.gateway = gateway
        self.timeout_s = timeout_s

    def send(self, message: Outgoing) -> None:
        body = json.dumps(
            {
                "to": message.address,
                "text": message.body,
                "sender_id": self.gateway.sender_id,
                "dlt_template_id": self.gateway.dlt_template_id,
                "unicode": True,  # Devanagari needs UCS-2 encoding on the handset
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's config
            self.gateway.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.gateway.api_key}",
                "Idempotency-Key": message.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as refused:
            status = refused.code
            detail = f"SMS gateway answered {status}"
            if status in (408, 425, 429) or status >= 500:
                raise TransientFailure(detail) from None
            raise PermanentFailure(detail) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise TransientFailure(f"SMS gateway unreachable: {exc}") from None
