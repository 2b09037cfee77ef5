"""The request fixtures of tests/consultations, for the security tests that file, route and answer requests."""

from tests.consultations.conftest import five_specialists, routed, submitted  # noqa: F401 - fixtures
