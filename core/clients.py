"""Who a request comes from: the one definition of the client's address.

Login throttling (django-axes, ``AXES_CLIENT_IP_CALLABLE``) and the rate limits of the public
pages (django-ratelimit, ``RATELIMIT_IP_META_KEY``) both call ``client_address``, so a client
is locked out and limited as the same address.

``settings.PROXY_COUNT`` (the environment's ``AXES_PROXY_COUNT``) says how many reverse proxies
stand in front of the application, each appending the address it received the request from to
``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for``, HAProxy's ``option forwardfor``):

- 0, the default: the client is ``REMOTE_ADDR``, and ``X-Forwarded-For`` is not read at all;
  anyone can send that header, so trusting it would let a client pick its own address and
  walk out of a lock.
- N ≥ 1: the client is the N-th address from the right of ``X-Forwarded-For``: the one the
  outermost proxy appended. Whatever a client writes into the header itself stays to the left
  of it and is never taken. A request that did not pass all N proxies (no header, or fewer
  entries) is taken at ``REMOTE_ADDR``.
"""

from django.conf import settings
from django.http import HttpRequest
from ipware.ip import get_client_ip

FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``, as ``PROXY_COUNT`` says to find it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if proxies < 1:
        return remote
    # ipware counts the entries after the client in the header ("proxy_count"); the proxy
    # nearest to us is REMOTE_ADDR and not in the header, hence N - 1. Not strict: a client
    # may prefix the header with anything, which must not make the whole header void.
    # The "legacy" algorithm splits the header at its commas and nothing else. The default
    # ("modern") one also reads RFC 7239 syntax and quotes inside X-Forwarded-For, so a client
    # that sends `for=1.2.3.4;x="` swallows the address the proxy appends and is taken for
    # 1.2.3.4 (ClientAddressTests.test_a_client_cannot_hide_the_appended_address_in_quotes).
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=[FORWARDED_HEADER],
        strict=False,
        algorithm="legacy",
    )
    return address or remote
