"""The request fixtures of tests/consultations, for the security tests that file, route and answer requests."""

import pytest

from tests.consultations.conftest import five_specialists, routed, submitted  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _no_sign_in_counts():
    """Sign-in limits count in the shared cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
