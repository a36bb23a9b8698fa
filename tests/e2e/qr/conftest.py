"""The running QR service and intake (same fixtures as the QR integration tests)."""

from tests.integration.qr.conftest import admin_token, running  # noqa: F401
