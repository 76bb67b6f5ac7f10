"""System checks of what the registry's shared machinery needs from the settings."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"


def _rate_limit_backend() -> str:
    return settings.CACHES.get(settings.RATELIMIT_USE_CACHE, {}).get("BACKEND", "")


@register(Tags.caches)
def rate_limit_cache_counts(app_configs, **kwargs) -> list:
    """The rate limits (core.ratelimits) count in a cache: a dummy one counts nothing. (A
    cache missing from CACHES is django_ratelimit.E002, which stays on.)"""
    if _rate_limit_backend() == DUMMY_CACHE:
        return [
            Error(
                "The rate limits count in a dummy cache, so no request is ever limited.",
                hint="Use the file cache (the default), or Redis through CACHE_URL.",
                id="core.E001",
            )
        ]
    return []


@register(Tags.caches, deploy=True)
def rate_limit_cache_is_shared(app_configs, **kwargs) -> list:
    """In production several worker processes serve the site; each would count on its own."""
    if _rate_limit_backend() == LOCAL_MEMORY_CACHE:
        return [
            Warning(
                "The rate limits count in local memory: each worker process counts on its own, "
                "so a client gets the limit once per worker.",
                hint="Use the file cache (the default) on one machine, or Redis through CACHE_URL on several.",
                id="core.W001",
            )
        ]
    return []
