"""A station's signed URL, QR images and posters, from the registry's record of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.qr.config import QrConfig
from services.qr.domain import Station, qr_url
from services.qr.rendering import posters, qrcodes


@dataclass(frozen=True)
class Printer:
    """Renders for one installation: intake's public address, the signing key, the fonts."""

    public_base_url: str
    signing_key: bytes
    fonts: posters.Fonts

    def url(self, station: Station) -> str:
        return qr_url(self.public_base_url, self.signing_key, station.code, station.qr_version)

    def png(self, station: Station, *, scale: int = 10, border: int = 4) -> bytes:
        return qrcodes.png(self.url(station), scale=scale, border=border)

    def svg(self, station: Station, *, scale: int = 10, border: int = 4) -> bytes:
        return qrcodes.svg(self.url(station), scale=scale, border=border)

    def poster_pdf(self, stations: Iterable[Station]) -> bytes:
        """One A4 page per station, in the order given."""
        return posters.render([self._poster(s) for s in stations], self.fonts)

    def _poster(self, s: Station) -> posters.PosterStation:
        return posters.PosterStation(
            s.code, s.name_en, s.name_hi, s.kind, s.qr_version, self.url(s)
        )


def printer_for(config: QrConfig) -> Printer:
    return Printer(
        config.public_base_url, config.qr_signing_key, posters.Fonts.in_folder(config.font_dir)
    )
