import pytest


@pytest.fixture(autouse=True)
def _fast_clients(settings):
    """Each test client builds the middleware: WhiteNoise would index every static file (a
    second each time) and the real password hasher costs a third of a second per user."""
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
