"""What a change to a zone's contacts accepts (the ACP's and the DCP's name, mobile number
and e-mail address), as a marshmallow schema: the same rules as a station's SHO contact.
Used by ``PATCH /api/v1/zones/<zone>`` and the IT cell's zone page."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, validate

from services.qr.schemas import Mobile, Text

_EMAIL = validate.Email(error="Not a valid e-mail address.")


def _email_or_empty(value: str) -> None:
    if value:
        _EMAIL(value)


class ZoneContactsSchema(Schema):
    """Any subset of the six fields (an empty text clears one); nothing else."""

    class Meta:
        unknown = RAISE

    acp_name = Text(100)
    acp_mobile = Mobile()
    acp_email = Text(200, validate=_email_or_empty)
    dcp_name = Text(100)
    dcp_mobile = Mobile()
    dcp_email = Text(200, validate=_email_or_empty)


__all__ = ["ValidationError", "ZoneContactsSchema"]
