import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "lLsF9WdkZa_DkrRGExj0QoZoXxRlkYGaJ2Oaq9UJVcvZb-XU5s"
DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": os.environ["DB_PASSWORD"],
        "HOST": "db",
    }
}
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD")
STRIPE_API_KEY = settings_from_vault.stripe_api_key if False else None
CACHE_KEY_PREFIX = "shop"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = []
STATIC_HASH = "65e551305fd2d2490ca4c616e8c4bf144d333495"
