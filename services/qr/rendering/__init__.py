"""What a station's QR code and poster look like: pure rendering, no I/O but the fonts."""
