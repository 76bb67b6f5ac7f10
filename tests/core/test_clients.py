"""The one definition of a client's address (core.clients), which the login throttling and the
rate limits share: REMOTE_ADDR unless the settings say how many proxies stand in front."""

from axes.helpers import get_client_ip_address
from django.test import RequestFactory, SimpleTestCase, override_settings

from core.clients import client_address

PROXY, CLIENT = "10.0.0.2", "203.0.113.5"


def request(forwarded_for: str | None = None, remote: str = PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


class ClientAddressTests(SimpleTestCase):
    def test_without_proxies_the_header_is_ignored(self):
        for forwarded_for in (None, "", CLIENT, f"198.51.100.1, {CLIENT}"):
            with self.subTest(forwarded_for=forwarded_for):
                self.assertEqual(client_address(request(forwarded_for)), PROXY)

    @override_settings(PROXY_COUNT=1)
    def test_behind_one_proxy_the_client_is_the_address_it_appended(self):
        for forwarded_for in (
            CLIENT,
            f"198.51.100.1, {CLIENT}",
            f"198.51.100.1,198.51.100.2,{CLIENT}",
            f"nonsense, , {CLIENT}",
            f"{CLIENT}:51234",
        ):
            with self.subTest(forwarded_for=forwarded_for):
                self.assertEqual(client_address(request(forwarded_for)), CLIENT)
        self.assertEqual(client_address(request("2001:db8::7")), "2001:db8::7")
        self.assertEqual(client_address(request("[2001:db8::7]:443")), "2001:db8::7")

    @override_settings(PROXY_COUNT=1)
    def test_a_client_cannot_hide_the_appended_address_in_quotes(self):
        # RFC 7239 syntax and an open quote in what the client sent would, if the header were
        # read as a Forwarded header, swallow the proxy's entry and leave 198.51.100.9 as the client.
        for forwarded_for in (f'for=198.51.100.9;x=", {CLIENT}', f'"198.51.100.9, {CLIENT}'):
            with self.subTest(forwarded_for=forwarded_for):
                self.assertEqual(client_address(request(forwarded_for)), CLIENT)

    @override_settings(PROXY_COUNT=2)
    def test_behind_two_proxies_the_client_is_second_from_the_right(self):
        # The outer proxy appends the client, the inner one appends the outer proxy.
        self.assertEqual(client_address(request(f"198.51.100.1, {CLIENT}, 10.0.0.9")), CLIENT)
        self.assertEqual(client_address(request(f"{CLIENT}, 10.0.0.9")), CLIENT)

    @override_settings(PROXY_COUNT=2)
    def test_a_request_that_did_not_pass_every_proxy_is_taken_at_its_peer(self):
        for forwarded_for in (None, "", CLIENT):
            with self.subTest(forwarded_for=forwarded_for):
                self.assertEqual(client_address(request(forwarded_for)), PROXY)

    @override_settings(PROXY_COUNT=1)
    def test_the_login_throttling_uses_the_same_definition(self):
        for forwarded_for in (CLIENT, f'for=198.51.100.9;x=", {CLIENT}'):
            with self.subTest(forwarded_for=forwarded_for):
                self.assertEqual(get_client_ip_address(request(forwarded_for)), CLIENT)
