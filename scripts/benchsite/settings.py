"""The portal's own settings, configured from the environment as in production, with the benchmark's URLs and a
middleware (first, so it sees every query) that reports each answer's number of SQL queries."""

from dxshare.settings import *  # noqa: F403

ROOT_URLCONF = "benchsite.urls"
MIDDLEWARE = ["benchsite.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
