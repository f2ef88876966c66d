"""Configuration, from environment variables only (each is documented in the README).

The service refuses to start in production with an unsafe value: a development key, debug
on, or any development-only switch. Without BILIN_ENV it is production: a forgotten variable
must not open the test clock, drop the webhook egress guard or accept the public development
keys. ``make run`` (development) and ``make test`` (test) name their environment themselves."""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.webhooks import Allowlist

# Development defaults. Production refuses to start while any of these is in use.
DEV_JWT_KEYS = "dev-2026:ZGV2ZWxvcG1lbnQtb25seS1zaWduaW5nLWtleS0wMDAwMDA="
DEV_DATA_KEY = "ZGV2ZWxvcG1lbnQtb25seS1kYXRhLWtleS0wMDAwMDA="  # 32 bytes once decoded

_DEV_SIGNING_SECRET = base64.b64decode(DEV_JWT_KEYS.partition(":")[2])
_DEV_DATA_KEY_BYTES = base64.b64decode(DEV_DATA_KEY)

ENVIRONMENTS = ("development", "test", "production")


class UnsafeConfiguration(RuntimeError):
    pass


@dataclass(frozen=True)
class RateLimit:
    quota: int
    window_seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        quota, _, window = text.partition("/")
        return cls(int(quota), int(window or 60))


@dataclass(frozen=True)
class Settings:
    environment: str = "production"  # fail closed: see the module docstring
    database_url: str | None = None
    redis_url: str | None = None
    # "kid:base64secret,kid:base64secret"; the first signs, all verify (key rotation).
    jwt_keys: str = DEV_JWT_KEYS
    data_key: str = DEV_DATA_KEY
    access_token_ttl: int = 900
    cors_origins: tuple[str, ...] = ()
    debug: bool = False
    max_body_bytes: int = 1_048_576
    db_pool_min: int = 2
    db_pool_max: int = 10
    log_level: str = "info"
    rate_limit_client: RateLimit = field(default_factory=lambda: RateLimit(6000, 60))
    rate_limit_person: RateLimit = field(default_factory=lambda: RateLimit(300, 60))
    rate_limit_anonymous: RateLimit = field(default_factory=lambda: RateLimit(300, 60))
    rate_limit_token: RateLimit = field(default_factory=lambda: RateLimit(30, 60))
    idempotency_ttl_hours: int = 24
    # WeChat's server API; local runs and tests point it at the stand-in on loopback.
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_timeout: float = 3.0
    # msgSecCheck of residents' text; off for platforms that check content elsewhere.
    content_check: bool = True
    # Events, webhooks, the worker and the test clock.
    test_clock: bool | None = None  # None: on in development and test, off in production
    webhook_allowlist: tuple[str, ...] = ()  # CIDRs and host names production may deliver to
    event_retention_days: int = 35
    worker_concurrency: int = 8  # webhook deliveries in flight per worker process
    # /metrics: a bearer token for the scraper; without one production serves no metrics.
    metrics_token: str | None = None
    # Addresses (IPs or CIDRs) of the reverse proxies whose X-Forwarded-For is believed; none
    # by default, so a caller cannot pick its own address (and rate-limit bucket).
    trusted_proxies: tuple[str, ...] = ()
    # Seconds before a silent database fails a request with 503 instead of holding it.
    db_connect_timeout: float = 2.0
    db_command_timeout: float = 3.0
    db_acquire_timeout: float = 2.0
    # Uploaded photos: an S3-compatible bucket when one is named, else a local directory.
    media_dir: str = ".data/media"
    public_url: str = ""  # how clients reach the API (links to local media); "" → relative links
    s3_bucket: str | None = None
    s3_endpoint: str | None = None  # None: AWS; MinIO, OSS or COS name theirs
    s3_public_endpoint: str | None = None  # where clients reach the store, if not at s3_endpoint
    s3_region: str = "us-east-1"
    s3_access_key: str | None = None
    s3_secret_key: str | None = None

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def test_clock_enabled(self) -> bool:
        return (not self.production) if self.test_clock is None else self.test_clock

    @property
    def webhook_guard(self) -> bool:
        """Production delivers only to public addresses and the allowlist (SSRF)."""
        return self.production

    @property
    def signing_keys(self) -> dict[str, bytes]:
        keys: dict[str, bytes] = {}
        for item in self.jwt_keys.split(","):
            kid, _, secret = item.strip().partition(":")
            keys[kid] = base64.b64decode(secret)
        return keys

    @property
    def active_kid(self) -> str:
        return self.jwt_keys.split(",")[0].strip().partition(":")[0]

    @property
    def data_key_bytes(self) -> bytes:
        return base64.b64decode(self.data_key)

    def check(self) -> None:
        """Refuse unsafe or malformed values; called once at start-up."""
        if self.environment not in ENVIRONMENTS:
            raise UnsafeConfiguration(f"BILIN_ENV must be one of {ENVIRONMENTS}")
        if len(self.data_key_bytes) != 32:
            raise UnsafeConfiguration("BILIN_DATA_KEY must be 32 bytes, base64-encoded")
        if any(len(secret) < 32 for secret in self.signing_keys.values()):
            raise UnsafeConfiguration("each BILIN_JWT_KEYS secret must be at least 32 bytes")
        if not 60 <= self.access_token_ttl <= 900:
            raise UnsafeConfiguration("BILIN_ACCESS_TOKEN_TTL must be 60–900 seconds")
        self._check_worker_values()
        for name, url in (("BILIN_PUBLIC_URL", self.public_url), ("BILIN_S3_ENDPOINT", self.s3_endpoint),
                          ("BILIN_S3_PUBLIC_ENDPOINT", self.s3_public_endpoint)):
            if url and not url.startswith(("https://", "http://")):
                raise UnsafeConfiguration(f"{name} must be an http(s) URL")
        if (self.s3_access_key is None) != (self.s3_secret_key is None):
            raise UnsafeConfiguration("BILIN_S3_ACCESS_KEY and BILIN_S3_SECRET_KEY go together")
        if not self.wechat_api_base.startswith(("https://", "http://")):
            raise UnsafeConfiguration("WECHAT_API_BASE must be an http(s) URL")
        if not 0 < self.wechat_timeout <= 30:
            raise UnsafeConfiguration("BILIN_WECHAT_TIMEOUT must be within 0–30 seconds")
        if not self.production:
            return
        unsafe = []
        # Compared as the bytes they decode to: base64 decoding skips whitespace, so a text
        # comparison would let a development key through with a space or a line break in it.
        if _DEV_SIGNING_SECRET in self.signing_keys.values():
            unsafe.append("BILIN_JWT_KEYS is the development key")
        if self.data_key_bytes == _DEV_DATA_KEY_BYTES:
            unsafe.append("BILIN_DATA_KEY is the development key")
        if self.debug:
            unsafe.append("BILIN_DEBUG is on")
        if not self.database_url:
            unsafe.append("DATABASE_URL is not set")
        if not self.redis_url:
            unsafe.append("REDIS_URL is not set")
        if self.test_clock:
            unsafe.append("BILIN_TEST_CLOCK is on")
        if self.metrics_token is not None and len(self.metrics_token) < 32:
            unsafe.append("BILIN_METRICS_TOKEN is shorter than 32 characters")
        if not self.wechat_api_base.startswith("https://"):
            # The app secret travels in the query string: never in clear, never to a stand-in.
            unsafe.append("WECHAT_API_BASE is not https")
        if unsafe:
            raise UnsafeConfiguration("refusing to start in production: " + "; ".join(unsafe))

    def _check_worker_values(self) -> None:
        if self.event_retention_days < 30:
            raise UnsafeConfiguration("BILIN_EVENT_RETENTION_DAYS must be at least 30 (the feed's promise)")
        if not 1 <= self.worker_concurrency <= 100:
            raise UnsafeConfiguration("BILIN_WORKER_CONCURRENCY must be 1–100")
        for name, seconds in (("CONNECT", self.db_connect_timeout), ("COMMAND", self.db_command_timeout),
                              ("ACQUIRE", self.db_acquire_timeout)):
            if not 0 < seconds <= 60:
                raise UnsafeConfiguration(f"BILIN_DB_{name}_TIMEOUT must be within 0–60 seconds")
        try:
            for entry in self.trusted_proxies:
                ipaddress.ip_network(entry)  # as uvicorn reads it: 10.0.0.0/8, not 10.1.2.3/8
        except ValueError as error:
            raise UnsafeConfiguration(f"BILIN_TRUSTED_PROXIES: {error}") from None
        try:
            Allowlist.parse(self.webhook_allowlist)
        except ValueError as error:
            raise UnsafeConfiguration(f"BILIN_WEBHOOK_ALLOWLIST: {error}") from None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    defaults = Settings()

    def get(name: str, default: str | None = None) -> str | None:
        value = env.get(name)
        return value if value not in (None, "") else default

    def limit(name: str, default: RateLimit) -> RateLimit:
        value = get(name)
        return RateLimit.parse(value) if value else default

    origins = get("BILIN_CORS_ORIGINS", "") or ""
    test_clock = get("BILIN_TEST_CLOCK")
    return Settings(
        environment=get("BILIN_ENV", defaults.environment) or defaults.environment,
        database_url=get("DATABASE_URL"),
        redis_url=get("REDIS_URL"),
        jwt_keys=get("BILIN_JWT_KEYS", defaults.jwt_keys) or defaults.jwt_keys,
        data_key=get("BILIN_DATA_KEY", defaults.data_key) or defaults.data_key,
        access_token_ttl=int(get("BILIN_ACCESS_TOKEN_TTL", "900") or 900),
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        debug=_flag(get("BILIN_DEBUG")),
        max_body_bytes=int(get("BILIN_MAX_BODY_BYTES", "1048576") or 1048576),
        db_pool_min=int(get("BILIN_DB_POOL_MIN", "2") or 2),
        db_pool_max=int(get("BILIN_DB_POOL_MAX", "10") or 10),
        log_level=(get("BILIN_LOG_LEVEL", "info") or "info").lower(),
        rate_limit_client=limit("BILIN_RATE_LIMIT_CLIENT", defaults.rate_limit_client),
        rate_limit_person=limit("BILIN_RATE_LIMIT_PERSON", defaults.rate_limit_person),
        rate_limit_anonymous=limit("BILIN_RATE_LIMIT_ANONYMOUS", defaults.rate_limit_anonymous),
        rate_limit_token=limit("BILIN_RATE_LIMIT_TOKEN", defaults.rate_limit_token),
        idempotency_ttl_hours=int(get("BILIN_IDEMPOTENCY_TTL_HOURS", "24") or 24),
        test_clock=None if test_clock is None else _flag(test_clock),
        webhook_allowlist=tuple(e.strip() for e in (get("BILIN_WEBHOOK_ALLOWLIST", "") or "").split(",")
                                if e.strip()),
        event_retention_days=int(get("BILIN_EVENT_RETENTION_DAYS", "35") or 35),
        worker_concurrency=int(get("BILIN_WORKER_CONCURRENCY", "8") or 8),
        wechat_api_base=get("WECHAT_API_BASE", defaults.wechat_api_base) or defaults.wechat_api_base,
        wechat_timeout=float(get("BILIN_WECHAT_TIMEOUT", "3") or 3),
        content_check=(get("BILIN_CONTENT_CHECK", "on") or "on").strip().lower() not in {"0", "false", "no", "off"},
        metrics_token=get("BILIN_METRICS_TOKEN"),
        trusted_proxies=tuple(e.strip() for e in (get("BILIN_TRUSTED_PROXIES", "") or "").split(",")
                              if e.strip()),
        db_connect_timeout=float(get("BILIN_DB_CONNECT_TIMEOUT", "2") or 2),
        db_command_timeout=float(get("BILIN_DB_COMMAND_TIMEOUT", "3") or 3),
        db_acquire_timeout=float(get("BILIN_DB_ACQUIRE_TIMEOUT", "2") or 2),
        media_dir=get("BILIN_MEDIA_DIR", defaults.media_dir) or defaults.media_dir,
        public_url=(get("BILIN_PUBLIC_URL", "") or "").rstrip("/"),
        s3_bucket=get("BILIN_S3_BUCKET"),
        s3_endpoint=get("BILIN_S3_ENDPOINT"),
        s3_public_endpoint=get("BILIN_S3_PUBLIC_ENDPOINT"),
        s3_region=get("BILIN_S3_REGION", defaults.s3_region) or defaults.s3_region,
        s3_access_key=get("BILIN_S3_ACCESS_KEY"),
        s3_secret_key=get("BILIN_S3_SECRET_KEY"),
    )
