"""The portal's own settings, configured from the environment as in production, with the benchmark's URLs."""

from dxshare.settings import *  # noqa: F403

ROOT_URLCONF = "benchsite.urls"
