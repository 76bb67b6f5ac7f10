"""System checks of what the registry's shared machinery needs from the settings."""

import ipaddress
from urllib.parse import urlsplit

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


# Names that only ever reach the machine itself (or Django's test client).
LOCAL_NAMES = frozenset({"localhost", "testserver"})


def _is_local(host: str | None) -> bool:
    """Whether a certificate's QR code pointing at ``host`` leads its readers nowhere: no host,
    a local name, or a loopback, unspecified or private address."""
    if not host or host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_private


@register(deploy=True)
def site_url_is_public(app_configs, **kwargs) -> list:
    """Every absolute address the registry hands out (a certificate's QR code and printed
    address, the sitemap, the language alternates) starts with SITE_URL; its default is the
    development server's, which no reader of a certificate can open."""
    parts = urlsplit(settings.SITE_URL)
    if _is_local(parts.hostname):
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: certificates would print a QR code and an address "
                "that lead nowhere outside this machine.",
                hint="Set SITE_URL to the public address of the site, e.g. https://rejestr.example.gov.pl.",
                id="core.W002",
            )
        ]
    if parts.scheme != "https":
        return [
            Warning(
                f"SITE_URL {settings.SITE_URL!r} is not https: certificates would print an unencrypted address.",
                hint="Use the https:// address of the site.",
                id="core.W003",
            )
        ]
    return []


@register(deploy=True)
def accessibility_contact_is_set(app_configs, **kwargs) -> list:
    """The accessibility statement must give the public a way to report a problem (ustawa z
    4 kwietnia 2019 r., art. 10): an e-mail address or a telephone number."""
    if not (settings.CONTACT_EMAIL or settings.CONTACT_PHONE):
        return [
            Warning(
                "Neither CONTACT_EMAIL nor CONTACT_PHONE is set: the accessibility statement names no contact "
                "for reporting accessibility problems, which the law requires.",
                hint="Set CONTACT_EMAIL and/or CONTACT_PHONE (and CONTACT_NAME, SITE_OPERATOR).",
                id="core.W004",
            )
        ]
    return []
