"""Test settings: production settings with test-only secrets, fast hashing and plain HTTP.

DATABASE_URL and REDIS_URL come from the environment (`make test` points them at PostgreSQL and Redis).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DEBUG", "false")

from dxshare.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# Flows run their tasks in-process right after commit, so each test sees its own e-mails deterministically.
# tests/test_celery.py switches this off and runs a real worker against the Redis broker (REDIS_URL).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
