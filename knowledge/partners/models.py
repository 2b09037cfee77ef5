"""Partners, 地域活性化起業人 agreements, needs and introductions (ネットワークマッチング)."""

__all__: list[str] = []
