"""Property-based: whatever query string a visitor (or a bot) sends, a list page answers
normally — 200 with the problem shown — and never with a server error."""

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests import builders

LIST_PAGES = ["/partnerstwa/", "/instytucje/", "/wydarzenia/"]
KNOWN_PARAMETERS = [
    "q",
    "page",
    "wojewodztwo",
    "powiat",
    "gmina",
    "status",
    "rok",
    "rok_od",
    "rok_do",
    "grupa",
    "obszar",
    "rodzaj",
    "rodzaj_czlonka",
    "sektor",
    "projekt",
    "sortuj",
    "format",
]
HOSTILE_VALUES = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(
        [
            "\x00",
            "' OR 1=1 --",
            "1e400",
            "-1",
            "999999999999999999999",
            "14",
            "1465",
            "1465011",
            "NaN",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "%00",
            "ą" * 2000,
            "csv",
            "json",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(KNOWN_PARAMETERS), st.text(max_size=20)), HOSTILE_VALUES), max_size=6
)


class HostileQueryStringTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.load_territory()
        member = builders.institution("Uniwersytet Łódzki", commune="1061011")
        builders.partnership("Raków-Reaktywacja", region="24", declared_member_count=13)
        builders.partnership("Aktywne Gajowice", region="02", communes=["0264011"], members=[member])
        builders.event("Konferencja", start_date="2014-12-11", commune="0264011")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(path=st.sampled_from(LIST_PAGES), query=QUERIES)
    def test_no_query_string_breaks_a_list_page(self, path, query):
        # Surrogates cannot be encoded in a URL at all; a browser could not send them.
        pairs = [(k.encode("utf-8", "replace"), v.encode("utf-8", "replace")) for k, v in query]
        response = self.client.get(f"{path}?{urlencode(pairs)}")
        self.assertEqual(response.status_code, 200, f"{path}?{urlencode(pairs)}")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
