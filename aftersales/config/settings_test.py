"""Test settings: change only speed and safety, never behaviour."""

from __future__ import annotations

from aftersales.config.settings import *  # noqa: F403
from aftersales.config.settings import HUEY, STATIC_ROOT

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise indexes STATIC_ROOT at start-up and warns when it is missing (collectstatic has
# not run for tests); an empty folder is the truth here.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
