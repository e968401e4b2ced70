"""Fieldcast settings: everything but accounts and security (`accounts.py`), from the environment.

With nothing set, Fieldcast runs in the embedded mode (SQLite, local media, in-memory channel layer,
Celery broker on the local filesystem). DATABASE_URL, REDIS_URL and STORAGE=s3 switch to the scaled
mode. See docs/configuration.md for every variable.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
env = environ.Env()

VAR_DIR = Path(env("FIELDCAST_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept under var/."""
    if env("SECRET_KEY", default=""):
        return str(env("SECRET_KEY"))
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Origins whose players may fetch media straight from the S3 bucket (see storage_bucket).
MEDIA_CORS_ORIGINS = env.list("MEDIA_CORS_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, no CDN
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "axes",
    "fieldcast.core",
    "fieldcast.accounts",
    "fieldcast.videos",
    "fieldcast.points",
    "ingest",
    "moderation",
    "community",
    "fieldcast.cli",  # `up`, `demo`: the top layer, which may import every other app
]
INSTALLED_APPS += env.list("SOCIAL_PROVIDER_APPS", default=[])

MIDDLEWARE = [
    "fieldcast.core.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fieldcast.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fieldcast.accounts.middleware.ExpiredSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: turns a refused password (request.axes_locked_out) into the 429 lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fieldcast.urls"
ASGI_APPLICATION = "fieldcast.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fieldcast" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fieldcast.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'fieldcast.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker is a second process writing the same file: WAL and a busy timeout keep both moving.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and Celery --------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Shared cache (allauth's rate limits, throttles). Several web processes need a shared one: point
# CACHE_REDIS_URL at a Redis database of its own (cache.clear() empties the whole database).
CACHE_REDIS_URL = env("CACHE_REDIS_URL", default="")
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # Exchange tables; kombu's default is ./control in the working directory, shared by
        # every instance started from the checkout.
        "control_folder": str(BROKER_DIR / "control"),
    }
    # kombu's filesystem transport forgets a message when it is fetched; this subclass keeps it
    # until acked and redelivers it if the worker that fetched it was killed (acks_late works).
    CELERY_BROKER_TRANSPORT = "media_workers.filesystem_broker:Transport"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Transcoding (fieldcast.videos.transcoding, fieldcast.media) ---------------------------
# The ladder, highest first; a source gets every rung at or below its own height (at least the
# lowest, so 3G viewers always have 240p). Bitrates are peak video rates (bits/s).
TRANSCODE_LADDER: list[dict[str, int | str]] = [
    {"name": "1080p", "height": 1080, "video_bitrate": 5_000_000, "audio_bitrate": 128_000},
    {"name": "720p", "height": 720, "video_bitrate": 2_800_000, "audio_bitrate": 128_000},
    {"name": "480p", "height": 480, "video_bitrate": 1_400_000, "audio_bitrate": 96_000},
    {"name": "360p", "height": 360, "video_bitrate": 800_000, "audio_bitrate": 96_000},
    {"name": "240p", "height": 240, "video_bitrate": 400_000, "audio_bitrate": 64_000},
]
TRANSCODE_SEGMENT_SECONDS = env.int("TRANSCODE_SEGMENT_SECONDS", default=4)
TRANSCODE_PRESET = env("TRANSCODE_PRESET", default="veryfast")
TRANSCODE_MAX_SOURCE_BYTES = env.int("TRANSCODE_MAX_SOURCE_BYTES", default=8 * 1024**3)
TRANSCODE_MAX_DURATION_SECONDS = env.int("TRANSCODE_MAX_DURATION_SECONDS", default=3 * 3600)
TRANSCODE_MAX_WIDTH = env.int("TRANSCODE_MAX_WIDTH", default=4096)
TRANSCODE_MAX_HEIGHT = env.int("TRANSCODE_MAX_HEIGHT", default=4096)
# Smaller pictures are refused with that reason (a readable 1×1 clip is not "damaged").
TRANSCODE_MIN_WIDTH = env.int("TRANSCODE_MIN_WIDTH", default=16)
TRANSCODE_MIN_HEIGHT = env.int("TRANSCODE_MIN_HEIGHT", default=16)
TRANSCODE_MAX_FRAME_RATE = env.float("TRANSCODE_MAX_FRAME_RATE", default=120.0)
TRANSCODE_MAX_STREAMS = env.int("TRANSCODE_MAX_STREAMS", default=16)
TRANSCODE_SOFT_TIME_LIMIT = env.int("TRANSCODE_SOFT_TIME_LIMIT", default=4 * 3600)
TRANSCODE_TIME_LIMIT = env.int("TRANSCODE_TIME_LIMIT", default=TRANSCODE_SOFT_TIME_LIMIT + 300)
TRANSCODE_MAX_RETRIES = env.int("TRANSCODE_MAX_RETRIES", default=3)
TRANSCODE_RETRY_BACKOFF_SECONDS = env.int("TRANSCODE_RETRY_BACKOFF_SECONDS", default=30)
# Where a worker keeps a transcode's scratch files (removed after each attempt).
TRANSCODE_WORK_DIR = Path(env("TRANSCODE_WORK_DIR", default=str(VAR_DIR / "transcode")))
CELERY_IMPORTS = ["media_workers.tasks"]
CELERY_TASK_ROUTES = {"media_workers.transcode_video": {"queue": "transcode"}}
if REDIS_URL and CELERY_BROKER_URL.startswith("redis"):
    # An unacked message goes back to the queue after this long: longer than the hard time limit,
    # or a transcode still running would be handed to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int(
        "BROKER_VISIBILITY_TIMEOUT", default=TRANSCODE_TIME_LIMIT + 600
    )

# --- Storage --------------------------------------------------------------------------------
STORAGE = env("STORAGE", default="local")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns on every start (and every test request) when STATIC_ROOT is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATIC_URL = "/static/"
STATICFILES_DIRS: list[tuple[str, Path] | Path] = [BASE_DIR / "frontend" / "static"]
for _prefix, _dist in (
    ("vendor/hls", "hls.js/dist"),
    ("vendor/htmx", "htmx.org/dist"),
    ("vendor/tus", "tus-js-client/dist"),
):
    _path = BASE_DIR / "frontend" / "node_modules" / _dist
    if _path.is_dir():
        STATICFILES_DIRS.append((_prefix, _path))
# Serve straight from the finders: `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = env.bool("WHITENOISE_AUTOREFRESH", default=DEBUG)

if STORAGE == "s3":
    DEFAULT_STORAGE: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME", default="fieldcast"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default="us-east-1"),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,  # private objects, signed expiring URLs
            "querystring_expire": env.int("MEDIA_URL_TTL", default=3600),
            "file_overwrite": True,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Uploads (tus) and media URLs ----------------------------------------------------------
MEDIA_URL_TTL = env.int("MEDIA_URL_TTL", default=3600)  # seconds a signed media URL stays valid
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=4 * 1024**3)  # one file (Tus-Max-Size)
UPLOAD_DAILY_BYTES = env.int("UPLOAD_DAILY_BYTES", default=20 * 1024**3)  # per reporter, 24 h
UPLOAD_MAX_CONCURRENT = env.int("UPLOAD_MAX_CONCURRENT", default=3)  # unfinished uploads each
UPLOAD_EXPIRES_SECONDS = env.int("UPLOAD_EXPIRES_SECONDS", default=24 * 3600)  # after last byte
UPLOAD_S3_PART_SIZE = env.int("UPLOAD_S3_PART_SIZE", default=8 * 1024**2)  # S3 minimum is 5 MiB
UPLOAD_LEASE_SECONDS = env.int("UPLOAD_LEASE_SECONDS", default=10)
UPLOAD_CORS_ALLOWED_ORIGINS = env.list("UPLOAD_CORS_ALLOWED_ORIGINS", default=["*"])
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "videos-expire-uploads": {
        "task": "fieldcast.videos.tasks.uploads_expire",
        "schedule": env.int("UPLOAD_CLEANUP_EVERY_SECONDS", default=900),
        "options": {"queue": "default"},
    },
}

# --- API ------------------------------------------------------------------------------------
# Every JSON body the API reads (fieldcast.core.parsers): larger ones get 413, deeper ones 400.
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
# A websocket frame longer than this closes the socket (fieldcast.core.websockets).
WEBSOCKET_MAX_FRAME_BYTES = env.int("WEBSOCKET_MAX_FRAME_BYTES", default=64 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_PARSER_CLASSES": [
        "fieldcast.core.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fieldcast.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "fieldcast.core.api_errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "Fieldcast API",
    "DESCRIPTION": "Uploads, live ingest, moderation and community for citizen journalism.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_TZ = True

# --- Operations -----------------------------------------------------------------------------
FFMPEG_BINARY = env("FFMPEG_BINARY", default="")
READY_CHECK_TIMEOUT = env.float("READY_CHECK_TIMEOUT", default=3.0)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="fieldcast-demo")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "fieldcast.core.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "fieldcast.core.request_log.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},  # fieldcast.access logs each request once
        "aioice": {"level": "WARNING"},  # one line per ICE check otherwise
    },
}

# --- Live ingest (ingest/; docs/live-ingest.md) ---------------------------------------------
# Host addresses ICE offers. aioice skips 127.0.0.1 on its own; an explicit list (default: loopback,
# for tests and the embedded mode on one machine) is used instead of the interfaces' addresses.
# Set ICE_HOST_ADDRESSES="" to offer every interface address as aioice does.
ICE_HOST_ADDRESSES = env.list("ICE_HOST_ADDRESSES", default=["127.0.0.1"])
# Remote candidates outside these networks are ignored ("" accepts any).
ICE_REMOTE_NETWORKS = env.list("ICE_REMOTE_NETWORKS", default=["127.0.0.0/8", "::1/128"])
# STUN/TURN: a JSON list of {"urls": ..., "username": ..., "credential": ...}; none by default.
ICE_SERVERS = env.json("ICE_SERVERS", default=[])
# A publish with the same key within this many seconds of a drop continues the same LiveSource.
LIVE_RECONNECT_GRACE_SECONDS = env.float("LIVE_RECONNECT_GRACE_SECONDS", default=30.0)
LIVE_PREVIEW_FPS = env.float("LIVE_PREVIEW_FPS", default=3.0)
# A publisher that sends no frame for this long is hung up (it reconnects into the same source).
LIVE_STALL_SECONDS = env.float("LIVE_STALL_SECONDS", default=10.0)
LIVE_RECORDINGS_DIR = Path(env("LIVE_RECORDINGS_DIR", default=str(VAR_DIR / "recordings")))
# RTMP listener in the ingest process: rtmp://HOST:RTMP_PORT/live/<key> (0 disables it).
RTMP_HOST = env("RTMP_HOST", default="127.0.0.1")
RTMP_PORT = env.int("RTMP_PORT", default=1935)
# SRT: one ffmpeg listener per publish, on a port of this range (docs/live-ingest.md).
SRT_HOST = env("SRT_HOST", default="127.0.0.1")
SRT_PUBLIC_HOST = env("SRT_PUBLIC_HOST", default="")
SRT_PORT_RANGE = env("SRT_PORT_RANGE", default="9000-9049")
SRT_WAIT_SECONDS = env.int("SRT_WAIT_SECONDS", default=120)
# Running sources whose ingest stopped beating (crashed, restarted) are ended by this periodic task.
CELERY_BEAT_SCHEDULE["ingest-end-stale-sources"] = {
    "task": "ingest.sources_end_stale",
    "schedule": env.int("LIVE_STALE_CHECK_EVERY_SECONDS", default=60),
    "options": {"queue": "default"},
}

# --- Points, levels, tiers (fieldcast/points/; docs/points.md) --------------------------------
# Every rule that pays or costs points, in one table: base points and an optional daily cap (in
# base points). "manual_adjustment" is the staff correction; its amount comes with each use.
POINTS_RULES: dict[str, dict[str, int | None]] = {
    "video_published": {"points": 10, "daily_cap": None},
    "original_footage": {"points": 5, "daily_cap": None},
    "used_on_air": {"points": 50, "daily_cap": None},
    "live_approved": {"points": 5, "daily_cap": None},
    "assignment_contribution": {"points": 20, "daily_cap": None},
    "comment": {"points": 1, "daily_cap": 10},
    "like_received": {"points": 1, "daily_cap": 20},
    "event_attended": {"points": 10, "daily_cap": None},
    "rating_top1": {"points": 100, "daily_cap": None},
    "rating_top2": {"points": 60, "daily_cap": None},
    "rating_top3": {"points": 30, "daily_cap": None},
    "content_removed": {"points": -20, "daily_cap": None},
    "abuse_report_upheld": {"points": -10, "daily_cap": None},
    "manual_adjustment": {"points": 0, "daily_cap": None},
}
# Past this total, every positive award is multiplied (the seed: past 2,000 points, +60%).
POINTS_MULTIPLIER_THRESHOLD = env.int("POINTS_MULTIPLIER_THRESHOLD", default=2000)
POINTS_MULTIPLIER_PERCENT = env.int("POINTS_MULTIPLIER_PERCENT", default=160)
# Level n+1 starts at POINTS_LEVELS[n] points (level 1 at 0).
POINTS_LEVELS: list[int] = [0, 20, 50, 100, 200, 400, 700, 1100, 1600, 2200, 3000, 4000, 5500]
# Tiers, lowest first; a user holds the highest tier whose every requirement they meet.
POINTS_TIERS: list[dict[str, object]] = [
    {"code": "viewer"},
    {
        "code": "citizen",
        "min_points": 10,
        "min_published": 1,
        "max_rejection_rate": 1.0,
        "min_account_days": 0,
    },
    {
        "code": "trusted",
        "min_points": 300,
        "min_published": 10,
        "max_rejection_rate": 0.3,
        "min_account_days": 30,
    },
    {
        "code": "star",
        "min_points": 2000,
        "min_published": 40,
        "max_rejection_rate": 0.15,
        "min_account_days": 180,
    },
]
# A nudge when the next level or tier is at most this many points away (one per user per day).
POINTS_NUDGE_WITHIN = env.int("POINTS_NUDGE_WITHIN", default=30)
# The role a star reporter gets when staff promote them to network reporter.
POINTS_NETWORK_REPORTER_ROLE = env("POINTS_NETWORK_REPORTER_ROLE", default="editor")
# A reporter needs this many ratings in a month to be ranked for the monthly top-3 bonus.
POINTS_RATING_MIN_VOTES = env.int("POINTS_RATING_MIN_VOTES", default=3)
POINTS_MANUAL_ADJUSTMENT_LIMIT = env.int("POINTS_MANUAL_ADJUSTMENT_LIMIT", default=10_000)
# Last month's top-3 rating bonus: idempotent, so checking every few hours is harmless.
CELERY_BEAT_SCHEDULE["points-rating-month-bonus"] = {
    "task": "points.rating_month_bonus",
    "schedule": env.int("POINTS_RATING_BONUS_EVERY_SECONDS", default=6 * 3600),
    "options": {"queue": "default"},
}

# --- Moderation (moderation/; docs/moderation.md) -------------------------------------------
# How long an editor's claim on a queue item holds before others may take it.
MODERATION_CLAIM_SECONDS = env.int("MODERATION_CLAIM_SECONDS", default=300)
# The longest free-text reason, note or report text a person may write.
MODERATION_TEXT_MAX_LENGTH = env.int("MODERATION_TEXT_MAX_LENGTH", default=1000)
# Reasons an editor picks from when rejecting or removing: [code, label] pairs.
MODERATION_REJECT_REASONS: list[tuple[str, object]] = env.json(
    "MODERATION_REJECT_REASONS",
    default=[
        ("unverifiable", _("Could not be verified")),
        ("not_news", _("Not newsworthy")),
        ("quality", _("Picture or sound too poor")),
        ("graphic", _("Too graphic to publish")),
        ("privacy", _("Shows private people or information")),
        ("not_own", _("Not the reporter's own footage")),
        ("other", _("Other (see the note)")),
    ],
)
# Distinct reporters whose reports hide a published video until an editor decides.
MODERATION_REPORT_HIDE_THRESHOLD = env.int("MODERATION_REPORT_HIDE_THRESHOLD", default=3)
# Reports one person may file per hour.
MODERATION_REPORTS_PER_HOUR = env.int("MODERATION_REPORTS_PER_HOUR", default=10)
# Term lists for the automatic term filter: {"list name": ["term", ...]}; more in the admin.
MODERATION_TERM_LISTS: dict[str, list[str]] = env.json("MODERATION_TERM_LISTS", default={})
# Priority boosts in hours (moderation/priority.py): a boosted item sorts as if it were older.
MODERATION_PRIORITY_HOURS: dict[str, float] = {
    "trusted_reporter": 24.0,
    "flag": 4.0,
    "reupload": 8.0,
    "appeal": 12.0,
    "report": 6.0,
    "urgent_assignment": 48.0,
}
# Technical flags: shorter than this is "very short"; black/frozen/silent covering at least this
# share of the clip is flagged.
MODERATION_SHORT_SECONDS = env.float("MODERATION_SHORT_SECONDS", default=3.0)
MODERATION_TECHNICAL_SHARE = env.float("MODERATION_TECHNICAL_SHARE", default=0.5)
# Perceptual fingerprints: frames per second sampled, the Hamming distance under which two frame
# hashes are "the same picture", and the share of frames that must find a twin for a match.
MODERATION_FINGERPRINT_FPS = env.float("MODERATION_FINGERPRINT_FPS", default=2.0)
MODERATION_FINGERPRINT_MAX_DISTANCE = env.int("MODERATION_FINGERPRINT_MAX_DISTANCE", default=10)
MODERATION_FINGERPRINT_MATCH_SHARE = env.float("MODERATION_FINGERPRINT_MATCH_SHARE", default=0.4)

# --- Events (community/events/; docs/community.md) -----------------------------------------
# Reminders a day and an hour before an event: the task is idempotent, so every few minutes is fine.
CELERY_BEAT_SCHEDULE["community-event-reminders"] = {
    "task": "community.event_reminders",
    "schedule": env.int("EVENT_REMINDERS_EVERY_SECONDS", default=300),
    "options": {"queue": "default"},
}

# --- Notification digests (community/notifications/; docs/community.md) ------------------
# Opt-in email digests (daily or weekly). The task checks every hour; each person gets at most
# one digest per period, sent at or after this local hour.
NOTIFICATION_DIGEST_HOUR = env.int("NOTIFICATION_DIGEST_HOUR", default=7)
CELERY_BEAT_SCHEDULE["community-notification-digests"] = {
    "task": "community.digests_send",
    "schedule": env.int("NOTIFICATION_DIGEST_EVERY_SECONDS", default=3600),
    "options": {"queue": "default"},
}

# --- Program engine (studio output) --------------------------------------------------------
# Runs in the process that holds the live sources (the ingest service); web replicas say 0.
PROGRAM_ENGINE_ENABLED = env.bool("PROGRAM_ENGINE_ENABLED", default=True)
# One engine runs a program: it renews its lease on the program row every third of this; another
# ingest process takes the program over when the lease has not been renewed for this long.
PROGRAM_ENGINE_LEASE_SECONDS = env.float("PROGRAM_ENGINE_LEASE_SECONDS", default=9.0)
# FFmpeg's HLS output and the program recording, before they go to storage.
PROGRAM_WORK_DIR = Path(env("PROGRAM_WORK_DIR", default=str(VAR_DIR / "program")))
