"""Accounts, login limits, credentials, HTTPS and the Content-Security-Policy (docs/security.md)."""

from __future__ import annotations

from datetime import timedelta

from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF

from fieldcast.settings.base import (
    CELERY_BEAT_SCHEDULE,
    CELERY_IMPORTS,
    DEBUG,
    VAR_DIR,
    env,
)

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out (account, address) pair before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
if env.bool("FIELDCAST_FAST_PASSWORD_HASHER", default=False):
    # Test runs only (the Makefile's test target): MD5 makes creating users cheap. Never in production.
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Avatars (fieldcast.accounts.avatars): the side limit is the station slate's.
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=5 * 1024 * 1024)
AVATAR_MAX_SIDE = env.int("AVATAR_MAX_SIDE", default=4096)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "fieldcast.accounts.adapters.AccountAdapter"
# Password change and reset revoke credentials; the current password goes through the limiter.
ACCOUNT_FORMS = {
    "signup": "fieldcast.accounts.forms.SignupForm",
    "change_password": "fieldcast.accounts.forms.ChangePasswordForm",
    "reset_password_from_key": "fieldcast.accounts.forms.ResetPasswordKeyForm",
}
SOCIALACCOUNT_ADAPTER = "fieldcast.accounts.adapters.SocialAccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Fieldcast] "
# A taken email on sign-up, or an unknown one on password reset, gets the same answer as any
# other: the address's owner is emailed instead, so the pages do not tell who has an account.
ACCOUNT_PREVENT_ENUMERATION = True
# django-axes is the one limiter for every way a password is presented (docs/security.md):
# allauth's own login-failure limit is off so the two never disagree. allauth's cap on login
# forms sent from one address (right or wrong password) stays, as a setting: one office or one
# mobile carrier's NAT can put many reporters behind one address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "login": env("LOGIN_RATE_PER_ADDRESS", default="30/m/ip"),
}
SOCIALACCOUNT_PROVIDERS = env.json("SOCIALACCOUNT_PROVIDERS", default={})

# --- Login limits (django-axes; docs/security.md "Login limits") ------------------------------
# Wrong passwords lock out the (account, client address) pair, never the account alone: anyone
# could otherwise lock a reporter out during breaking news.
AXES_ENABLED = env.bool("LOGIN_LIMITS_ENABLED", default=True)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(seconds=env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60))
AXES_USERNAME_FORM_FIELD = "login"  # allauth's login form field
AXES_USERNAME_CALLABLE = "fieldcast.accounts.login_limits.attempted_username"
AXES_LOCKOUT_CALLABLE = "fieldcast.accounts.login_limits.lockout_response"
AXES_HANDLER = "fieldcast.accounts.login_limits.LoginLimitHandler"
# A refusal during a lockout neither counts nor extends it (an attacker cannot keep it going).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# The client address: the connection's own, or with LOGIN_LIMITS_PROXY_COUNT proxies in front,
# the X-Forwarded-For entry they appended (a client can write anything to the left of it).
LOGIN_LIMITS_PROXY_COUNT = env.int("LOGIN_LIMITS_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "fieldcast.accounts.login_limits.client_address"
# The account alone is never locked: past LOGIN_SLOWDOWN_AFTER failures from all addresses, a new
# address waits longer and longer (base doubling up to max seconds); the owner is emailed once.
LOGIN_SLOWDOWN_AFTER = env.int("LOGIN_SLOWDOWN_AFTER", default=20)
LOGIN_SLOWDOWN_BASE_SECONDS = env.int("LOGIN_SLOWDOWN_BASE_SECONDS", default=2)
LOGIN_SLOWDOWN_MAX_SECONDS = env.int("LOGIN_SLOWDOWN_MAX_SECONDS", default=60)

# --- Credentials (docs/security.md "Credentials") --------------------------------------------
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=90)
# Days between asking to delete an account and its deletion; logging in again cancels it.
ACCOUNT_DELETION_COOLING_OFF_DAYS = env.int("ACCOUNT_DELETION_COOLING_OFF_DAYS", default=14)
CELERY_IMPORTS.append("fieldcast.account_data.tasks")  # due deletions, periodic and idempotent
CELERY_BEAT_SCHEDULE["account-data-erase-due"] = {
    "task": "account_data.erase_due",
    "schedule": env.int("ACCOUNT_DELETION_CHECK_EVERY_SECONDS", default=3600),
    "options": {"queue": "default"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Fieldcast <newsroom@localhost>")

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
# Secure by default unless DEBUG: cookies only over HTTPS (browsers also keep them on
# http://localhost and 127.0.0.1), and HSTS for a year (sent on HTTPS responses only). A plain-HTTP
# install on another address sets SECURE_COOKIES=false (docs/security.md).
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
# With HSTS on, subdomains and preloading too (what `check --deploy` asks), unless set otherwise.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp; fieldcast.core.csp; docs/security.md) ---------------
# Where media and thumbnails come from besides this site: the S3 endpoint when STORAGE=s3, and a
# CDN or nginx origin if HLS is delivered from one (CSP_MEDIA_ORIGINS="https://cdn.example.org").
_s3_origin = env("S3_ENDPOINT_URL", default="") if env("STORAGE", default="local") == "s3" else ""
CSP_MEDIA_ORIGINS = env.list("CSP_MEDIA_ORIGINS", default=[_s3_origin] if _s3_origin else [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        # Our own files, and the few inline scripts carry the request's nonce: no inline script
        # or event handler attribute runs otherwise.
        "script-src": [CSP_SELF, CSP_NONCE],
        # Inline <style> blocks and style attributes in the templates; styles cannot run code.
        "style-src": [CSP_SELF, "'unsafe-inline'"],
        "img-src": [CSP_SELF, "data:", "blob:", *CSP_MEDIA_ORIGINS],
        # hls.js plays through MediaSource (blob: URLs) and parses in a blob: worker.
        "media-src": [CSP_SELF, "blob:", *CSP_MEDIA_ORIGINS],
        "worker-src": [CSP_SELF, "blob:"],
        # Websockets to this host are added per request (fieldcast.core.csp).
        "connect-src": [CSP_SELF, *CSP_MEDIA_ORIGINS],
        "font-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        # No page may be framed (there is no embed page).
        "frame-ancestors": [CSP_NONE],
    },
}
