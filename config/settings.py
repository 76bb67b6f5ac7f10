"""Settings of the registry: one module, every deployment difference read from the environment.

Development needs no variables at all (SQLite in ``var/``). Production sets at least
``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and usually ``DATABASE_URL``; then
``manage.py check --deploy --fail-level WARNING`` passes.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# The fallback key is for development only: Django's deploy check (security.W009) flags
# the "django-insecure" prefix, so a production install without SECRET_KEY fails the check.
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-key-do-not-use-in-production")
# Signs the manifest of every backup (config.backup), so that an archive altered by someone
# without it is refused. Its own setting, so that a backup can be restored on a machine with
# another SECRET_KEY: give both installations the same BACKUP_SIGNING_KEY.
BACKUP_SIGNING_KEY = env_str("BACKUP_SIGNING_KEY", "") or SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

# Absolute URL of the site: every absolute address the site writes (certificates, exports,
# the sitemap, the accessibility statement) starts with it, never with the request's Host,
# since cached pages are served to everyone.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "config.apps.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    # Country names in Polish for the country of a foreign institution (no models).
    "django_countries",
    "simple_history",
    "axes",
    "csp",
    "django_ratelimit",
    # The read-only API (/api/v1/, core.api): its schema, its docs page served from our own
    # static files (the sidecar's Swagger UI, no CDN), CORS on its addresses only.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # Django's tasks API (the backport) and its database backend: the queue of background work.
    "django_tasks",
    "django_tasks_db",
    # The registry's apps, in the one order imports may run: core <- territory <- members
    # <- events <- partnerships.
    "core",
    "territory",
    "members",
    "events",
    "partnerships",
    # Last: site-wide pieces that bring the apps together (backups, the page cache).
    "config",
]

MIDDLEWARE = [
    # First: every header is set when it removes the body of an answer to HEAD.
    "config.middleware.HeadMiddleware",
    # Above everything that may answer by itself: even a 429 or a 404 of the API carries CORS.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages only (BREACH): above the page cache, so that its hits are compressed too.
    "config.middleware.PublicPageGZipMiddleware",
    "core.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.LanguagePathMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it answers a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "core.context_processors.language_links",
                "config.navigation.navigation",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite in var/ by default; PostgreSQL (or anything dj-database-url reads) through DATABASE_URL.
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Connections kept between requests: opening one costs PostgreSQL a new backend
        # process, several milliseconds of every uncached page (docs/performance.md).
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the public read while staff write; IMMEDIATE avoids "database is locked"
    # when a read transaction later wants to write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Failed admin logins are counted per user name and address (django-axes): after
# AXES_FAILURE_LIMIT failures that pair is refused for AXES_COOLOFF_MINUTES, even with the
# right password; `manage.py axes_reset` lifts a lock at once. The pair, not the address
# alone, so that staff behind one office proxy do not lock each other out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures and locks are rows in the database, which every instance shares (the cache handler
# would share them only through a shared cache, and lose them when it is flushed).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.views.login_locked_out"
# Successful logins are not logged with their addresses: nothing needs them (RODO: data minimisation).
AXES_DISABLE_ACCESS_LOG = True
# The client's address, for the locks as for the rate limits: core.clients. AXES_PROXY_COUNT
# is the number of reverse proxies in front of the application, each appending to
# X-Forwarded-For; 0 (the default) trusts no such header and takes REMOTE_ADDR. (Named
# PROXY_COUNT here: django-axes reads a setting AXES_PROXY_COUNT as a deprecated alias.)
PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files in S3-compatible object storage (django-storages) when a bucket is named, so
# that every machine reads the same files; local files under MEDIA_ROOT otherwise. The
# credentials are boto3's own (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in the environment);
# AWS_S3_ENDPOINT_URL points it at a store other than Amazon's. The files stay private and are
# served by config.views.media, under the headers that keep them inert.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL", "") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME", "") or None
    AWS_LOCATION = env_str("AWS_LOCATION", "")
    # The bucket's own (private) policy, never a public-read object ACL.
    AWS_DEFAULT_ACL = None
    # A generated name is never reused; a clash must not replace another record's file.
    AWS_S3_FILE_OVERWRITE = False

# Security. Production (DEBUG off) gets HTTPS-only cookies, HSTS and a redirect to HTTPS;
# SECURE_SSL_REDIRECT can be turned off where a proxy already redirects.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A staff session lasts a working day; only staff have sessions at all.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# The admin's JavaScript does not read the CSRF cookie, so scripts need not either.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# The visitor's language choice (the only cookie a visitor ever gets): no script reads it, and
# it is sent along when someone follows a link to the site, but not with cross-site posts.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Every page, the admin's included, runs only the site's own scripts and stylesheets: no
# inline code, no third-party origins (django-csp). A view that serves untrusted bytes (an
# uploaded file) sets a stricter policy of its own, which the middleware keeps.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# A 20 MB document and the rest of the admin form; anything larger is refused unread.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 25 * 1024 * 1024)
# Features no page uses, denied to every page (django-permissions-policy).
PERMISSIONS_POLICY = {"camera": [], "microphone": [], "geolocation": [], "payment": [], "usb": []}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", True)
    if SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE:
        # The __Host- prefix makes browsers refuse these cookies unless set over HTTPS for this
        # host alone (no Domain, path /): a sibling subdomain cannot plant or read them.
        SESSION_COOKIE_NAME = "__Host-sessionid"
        CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

LOG_LEVEL = env_str("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The handler has its own level because a library may lower its logger's level while it
    # works (font subsetting during a PDF render logs hundreds of DEBUG lines a page).
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# One cache for every worker of the machine: pages and counts are cached per data generation
# (core.cache), which each worker must see change. Files in VAR_DIR by default; Redis
# where several machines serve the site (CACHE_URL=redis://host:6379/0; docs/deploy.md).
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # Several installations (or a test run) may share one Redis database.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", ""),
        }
    }
    # Sessions read from the shared cache and written through to the database: any instance
    # finds a session made on another, and a flushed cache logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# Whole public pages for visitors without a session (core.page_cache.PageCacheMiddleware).
PAGE_CACHE = env_bool("PAGE_CACHE", True)

# Rate limits of the public certificate pages, per client address (core.clients) and minute,
# counted by django-ratelimit in the default cache (core.ratelimits). Why these figures:
# docs/security.md. A benchmark that loads a page on purpose raises them.
CERTIFICATE_VERIFICATIONS_PER_MINUTE = env_int("CERTIFICATE_VERIFICATIONS_PER_MINUTE", 60, minimum=1)
CERTIFICATE_PDFS_PER_MINUTE = env_int("CERTIFICATE_PDFS_PER_MINUTE", 20, minimum=1)
# The dated full dumps of the open data (manage.py publish_dumps): how many days are kept.
OPEN_DATA_DUMPS_KEEP = env_int("OPEN_DATA_DUMPS_KEEP", 7, minimum=1)
# Corrections from the public: a few an hour from one address is a reader; more is a robot.
CORRECTIONS_PER_MINUTE = env_int("CORRECTIONS_PER_MINUTE", 3, minimum=1)
# The kinds of records a reader can correct: the word in /poprawki/<word>/<id>/ -> model.
CORRECTION_RECORDS = {
    "partnerstwo": "partnerships.Partnership",
    "instytucja": "members.Institution",
    "wydarzenie": "events.Event",
    "projekt": "events.Project",
}
# How long a correction's sender's e-mail is kept after the decision (docs/rodo.md).
CORRECTION_EMAIL_RETENTION_DAYS = env_int("CORRECTION_EMAIL_RETENTION_DAYS", 90, minimum=1)
# A status stated longer ago than this is shown as old (about two years).
STATUS_CURRENT_FOR_DAYS = env_int("STATUS_CURRENT_FOR_DAYS", 730, minimum=1)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "core.clients.client_address"
# A counter that vanished between reading and adding to it (a file cache culls entries) lets
# that one request through instead of refusing it.
RATELIMIT_FAIL_OPEN = True
# django-ratelimit refuses every cache but memcached and django-redis: the file cache (one
# machine's workers share it) because its increments are not atomic, which under concurrent
# requests may count a few too few; Django's own RedisCache as "not officially supported",
# though its increments are atomic. core.checks refuses what really breaks the limits instead:
# a dummy cache (nothing counted), and in production a per-process one (local memory).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# The read-only API (core.api, config.api): JSON only, no sessions or logins (nothing to
# protect with CSRF), cursor pages, the lists' own FilterSets, per-address throttling in the
# default cache, every error in Polish and English.
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 120, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["core.api.PerAddressThrottle"],
    "DEFAULT_PAGINATION_CLASS": "core.api.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["core.api.FilterSetBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # ?format= is no parameter of ours: an unknown one is a 400 like any other.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rejestr Partnerstw Lokalnych – API",
    "DESCRIPTION": (
        "Interfejs tylko do odczytu: partnerstwa lokalne, instytucje, wydarzenia, projekty, "
        "województwa, powiaty i gminy (kody TERYT), weryfikacja certyfikatów. Filtry list jak na "
        "stronach rejestru; strony według kursora (`next`); `ETag` i 304; limit zapytań na adres "
        "(429, `Retry-After`). Dane na licencji CC BY 4.0 (źródło: Rejestr Partnerstw Lokalnych); "
        "podział terytorialny: GUS, TERYT. Opis: /dane/ i docs/open-data.md.\n\n"
        "A read-only API: local partnerships, institutions, events, projects, voivodeships, "
        "counties and communes (TERYT codes), certificate verification. The lists take the "
        "filters of the registry's pages; pages by cursor (`next`); `ETag` and 304; a rate limit "
        "per address (429, `Retry-After`). Data under CC BY 4.0 (source: Rejestr Partnerstw "
        "Lokalnych); territorial division: GUS, TERYT."
    ),
    "VERSION": "1",
    "LICENSE": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per set of choices, where several models have a "kind" or a "status".
    "ENUM_NAME_OVERRIDES": {
        "InstitutionKindEnum": "members.models.Institution.Kind",
        "EventKindEnum": "events.models.Event.Kind",
        "CountyKindEnum": "territory.models.County.Kind",
        "CommuneKindEnum": "territory.models.Commune.Kind",
        "PartnershipStatusEnum": "partnerships.models.Partnership.Status",
        "CertificateKindEnum": "partnerships.models.CertificateKind",
        "CertificateStatusEnum": "partnerships.models.CertificateStatus",
        "DatePrecisionEnum": "core.models.DatePrecision",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.document_errors",
    ],
}
# Any origin may read the API (GET, HEAD, OPTIONS), without credentials; nothing else of the
# site is shared across origins (django-cors-headers).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After"]
# Long work (batch printing of certificates, imports above IMPORT_INLINE_ROWS rows) runs in a
# background worker through Django's tasks API (core.jobs). TASKS_BACKEND=database (the default)
# keeps the queue in the database and `manage.py worker` runs it; TASKS_BACKEND=rq puts it on
# RQ in Redis (TASKS_REDIS_URL, CACHE_URL by default), for many workers at scale;
# TASKS_BACKEND=immediate runs each task inside the request that starts it (no worker at all).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db") + 1, "django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": env_str("TASKS_REDIS_URL", CACHE_URL) or "redis://127.0.0.1:6379/0"}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database, rq or immediate, not {TASKS_BACKEND!r}.")
# A running job whose progress has not moved for this long is taken to be lost with its worker
# (killed, machine gone): the next worker to start takes it over, and staff may retry it.
JOBS_STALE_SECONDS = env_int("JOBS_STALE_SECONDS", 600, minimum=1)
# Up to this many certificates are issued within the request; more go to the worker as a job.
CERTIFICATES_INLINE_LIMIT = env_int("CERTIFICATES_INLINE_LIMIT", 10, minimum=0)
# A spreadsheet of more rows than this is imported by the worker, with its progress shown.
IMPORT_INLINE_ROWS = env_int("IMPORT_INLINE_ROWS", 1000, minimum=0)

# Who runs this installation: the accessibility statement must name them and a contact.
SITE_OPERATOR = env_str("SITE_OPERATOR", "")
CONTACT_NAME = env_str("CONTACT_NAME", "")
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "")
CONTACT_PHONE = env_str("CONTACT_PHONE", "")
# Dates of the accessibility statement, ISO format; the statement says when it was checked.
ACCESSIBILITY_PUBLISHED_ON = env_str("ACCESSIBILITY_PUBLISHED_ON", "2026-11-23")
ACCESSIBILITY_UPDATED_ON = env_str("ACCESSIBILITY_UPDATED_ON", "2026-12-06")

# Mail to the senders of corrections: printed to the console unless a backend is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "rejestr@localhost")

# The rule of who may change which record, applied by the admin (core.admin): a module with
# region_of, can_change and their kin. The regional one: staff change their voivodeship's records.
REGISTRY_SCOPE = "members.scope"

# The empty choice of every public filter reads as what it does: no restriction.
FILTERS_EMPTY_CHOICE_LABEL = _("(all)")
