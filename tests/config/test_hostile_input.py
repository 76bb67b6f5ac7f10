"""Property-based: whatever a visitor or a staff member sends — oversized strings, NUL bytes,
odd Unicode, SQL-looking text, numbers and dates out of range — the registry answers with a
page (a 404, or the form again with a Polish message), never a server error, and a refused
form writes nothing at all.

Public lists' query strings have their own test (test_hostile_queries.py); here: exports,
detail addresses, the language switch (the one public form that posts) and the main admin
forms.
"""

import datetime
import re
from urllib.parse import quote, urlencode, urlsplit

from django.contrib.admin.models import LogEntry
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from events.models import Event
from members.models import Institution, Person
from partnerships.models import Membership, Partnership
from tests import builders
from tests.builders import AdminTestCase, admin_url, form_data

# Surrogates cannot be sent in a URL or a form at all: a browser could not produce them.
SENDABLE = st.characters(blacklist_categories=["Cs"])
NASTY_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "' OR 1=1 --",
        "'; DROP TABLE partnerships_partnership; --",
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "%s%s%n",
        "../../etc/passwd",
        "\u202eevil",
        "\ufeff",
        "Zażółć gęślą jaźń",
        "𝕽𝖆𝖐ó𝖜",
        "ą" * 5000,
        "x" * 100_000,
        '=HYPERLINK("http://example.org")',
    ]
)
HOSTILE_TEXT = st.one_of(NASTY_STRINGS, st.text(alphabet=SENDABLE, max_size=400))
HOSTILE_NUMBER = st.one_of(
    st.sampled_from(["-1", "0", "1e400", "NaN", "inf", "99999999999999999999999", "٣", "1.5", "0x10", ""]),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
)
HOSTILE_DATE = st.one_of(
    st.sampled_from(["2014-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "99999-01-01", "2014-13-01", "dziś", ""]),
    st.dates().map(lambda d: d.isoformat()),
    st.text(alphabet=SENDABLE, max_size=30),
)
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Text every form takes as it is: letters, digits, spaces and common punctuation, not blank.
PLAIN = re.compile(r"^(?=.*\w)[\w .,„”()-]{1,100}$")


def plain(text: str) -> bool:
    return bool(PLAIN.match(text)) and text == text.strip()


def plain_number(text: str, maximum: int = 10**6) -> bool:
    return text == "" or (text.isascii() and text.isdigit() and int(text) <= maximum)


def partial_date(text: str) -> datetime.date | None:
    """The day a founding date typed as a year, a month or a day stands for (its first day), or
    None where the form must refuse it: another shape, or no such date."""
    text = text.strip().replace(" ", "")
    shapes = [
        r"(?P<y>[0-9]{4})",
        r"(?P<m>[0-9]{1,2})[./-](?P<y>[0-9]{4})",
        r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})",
        r"(?P<d>[0-9]{1,2})[./-](?P<m>[0-9]{1,2})[./-](?P<y>[0-9]{4})",
        r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})",
    ]
    for shape in shapes:
        match = re.fullmatch(shape, text)
        if match:
            parts = match.groupdict()
            try:
                return datetime.date(int(parts["y"]), int(parts.get("m") or 1), int(parts.get("d") or 1))
            except ValueError:
                return None
    return None


def iso_date(text: str) -> bool:
    """A date the forms read as it is written (ISO), within the years the models allow."""
    try:
        value = datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text)) and 1990 <= value.year <= 2100


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class HostilePublicRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        builders.public_records("testowe", start_date="2014-12-11")

    @EXAMPLES
    @given(
        export_format=st.sampled_from(["csv", "json"]),
        query=st.lists(
            st.tuples(
                st.sampled_from(["q", "wojewodztwo", "powiat", "gmina", "status", "rok_od", "sortuj", "page"]),
                HOSTILE_TEXT,
            ),
            max_size=5,
        ),
    )
    def test_an_export_with_any_filters_is_a_complete_file(self, export_format, query):
        response = self.client.get(f"/partnerstwa/?{urlencode([*query, ('format', export_format)])}")
        self.assertEqual(response.status_code, 200)
        body = body_of(response).decode("utf-8")
        if export_format == "json":
            self.assertTrue(body.rstrip().endswith("]}"))
        else:
            self.assertTrue(body.startswith("\ufeffslug,name,"))

    @EXAMPLES
    @given(
        prefix=st.sampled_from(
            ["/partnerstwa/", "/instytucje/", "/wydarzenia/", "/powiaty/", "/certyfikaty/", "/media/logos/"]
        ),
        tail=HOSTILE_TEXT,
        suffix=st.sampled_from(["/", "/pdf/", ""]),
    )
    def test_any_detail_address_is_a_page_or_a_404(self, prefix, tail, suffix):
        response = self.client.get(prefix + quote(tail.encode("utf-8"), safe="") + suffix)
        # 400: Django refuses to redirect (adding the slash) to an address over 2,048 characters.
        self.assertIn(response.status_code, {200, 301, 400, 404}, prefix + repr(tail[:50]) + suffix)

    @EXAMPLES
    @given(
        language=HOSTILE_TEXT,
        next_url=st.one_of(
            HOSTILE_TEXT,
            st.sampled_from(["//example.org/", "https://example.org/", "javascript:alert(1)", "/partnerstwa/"]),
        ),
    )
    def test_the_language_switch_never_fails_nor_leads_off_the_site(self, language, next_url):
        response = self.client.post("/i18n/setlang/", {"language": language, "next": next_url})
        self.assertIn(response.status_code, {200, 302})
        if response.status_code == 302:
            location = urlsplit(response["Location"])
            self.assertEqual((location.scheme, location.netloc), ("", ""), response["Location"])


class HostileAdminFormTests(TestCase, AdminTestCase):
    """The main admin forms of a regional centre's staff member, filled with hostile values."""

    def counts(self) -> tuple:
        return tuple(
            model.objects.count()
            for model in (Partnership, Partnership.history.model, Membership, Institution, Event, Person, LogEntry)
        )

    def submit(self, url: str, values: dict, owner=None, *, accepted: bool | None = None):
        """Post the form at ``url`` with ``values`` over what the page offers; check the promise,
        and the outcome where the values decide it (``accepted``: True, False, or None when
        either may be right)."""
        self.client.force_login(self.staff)
        data = form_data(self.client.get(url))
        data.update(values)
        before = self.counts()
        stored = owner and owner.__class__.objects.filter(pk=owner.pk).values().get()
        response = self.client.post(url, data)
        self.assertIn(response.status_code, {200, 302})
        if response.status_code == 200:
            # Refused: said so in Polish, and nothing at all was written.
            self.assertContains(response, "Prosimy poprawić")
            self.assertEqual(self.counts(), before)
            if owner is not None:
                self.assertEqual(owner.__class__.objects.filter(pk=owner.pk).values().get(), stored)
        if accepted is not None:
            self.assertEqual(response.status_code, 302 if accepted else 200, values)
        return response

    @EXAMPLES
    @given(
        name=HOSTILE_TEXT,
        goal=HOSTILE_TEXT,
        # The founding date as staff type it: a year, a month or a day (core.forms.PartialDateField).
        founded=st.one_of(HOSTILE_DATE, st.sampled_from(["2012", "03.2012", "15.03.2012", "30.02.2014", "13.2012"])),
        declared=HOSTILE_NUMBER,
        website=HOSTILE_TEXT,
        region=st.sampled_from(["14", "02", "99", "x", ""]),
    )
    @example("Partnerstwo przykładowe", "Cel", "2012", "13", "", "14")
    @example("Partnerstwo przykładowe", "Cel", "30.02.2014", "13", "", "14")
    @example("Partnerstwo przykładowe", "Cel", "2014-02-30", "13", "", "14")
    @example("", "Cel", "", "", "", "14")
    @example("Partnerstwo przykładowe", "", "", "", "", "02")
    def test_the_partnership_form(self, name, goal, founded, declared, website, region):
        refused = not name.strip() or region != "14" or (founded.strip() != "" and partial_date(founded) is None)
        valid = (
            plain(name)
            and (goal == "" or plain(goal))
            and (founded == "" or (partial_date(founded) is not None and 1990 <= partial_date(founded).year <= 2100))
            and plain_number(declared)
            and website == ""
            and region == "14"
        )
        values = {
            "name": name,
            "goal": goal,
            "founded": founded,
            "declared_member_count": declared,
            "website": website,
            "home_voivodeship": region,
        }
        accepted = False if refused else True if valid else None
        response = self.submit(
            admin_url(self.own_partnership, "change"), values, owner=self.own_partnership, accepted=accepted
        )
        if response.status_code == 302:
            saved = Partnership.objects.get(pk=self.own_partnership.pk)
            saved.full_clean()
            self.assertEqual((saved.name, saved.goal, saved.home_voivodeship_id), (name.strip(), goal.strip(), "14"))

    @EXAMPLES
    @given(
        name=HOSTILE_TEXT,
        slug=HOSTILE_TEXT,
        nip=st.one_of(HOSTILE_TEXT, st.sampled_from(["1234563218", "123-456-32-18", "1234563219", "PL1234563218"])),
        regon=HOSTILE_NUMBER,
        country=st.sampled_from(["PL", "GB", "pl", "XX1", "", "\x00\x00"]),
        commune=st.sampled_from(["1465011", "0264011", "9999999", "abc", ""]),
        email=HOSTILE_TEXT,
    )
    @example("Ośrodek przykładowy", "osrodek-przykladowy", "1234563218", "", "PL", "1465011", "")
    @example("Ośrodek przykładowy", "osrodek-przykladowy", "1234563219", "", "PL", "1465011", "")
    @example("Ośrodek przykładowy", "osrodek-przykladowy", "", "", "PL", "0264011", "")
    def test_the_institution_form(self, name, slug, nip, regon, country, commune, email):
        # Another region's commune, no commune (staff keep records with one) or a bad NIP: refused.
        refused = commune != "1465011" or not name.strip() or nip in {"1234563219", "PL1234563218", "123-456-32-18"}
        valid = (
            plain(name)
            and re.fullmatch(r"[a-z0-9-]{1,100}", slug)
            and nip in {"", "1234563218"}
            and regon == ""
            and country in {"PL", "pl"}
            and commune == "1465011"
            and email == ""
        )
        values = {
            "name": name,
            "slug": slug,
            "kind": "mops",
            "nip": nip,
            "regon": regon,
            "country": country,
            "commune": commune,
            "email": email,
        }
        accepted = False if refused else True if valid else None
        response = self.submit(admin_url(Institution, "add"), values, accepted=accepted)
        if response.status_code == 302:
            saved = Institution.objects.get(slug=slug)
            saved.full_clean()
            # Staff of mazowieckie add institutions of mazowieckie only.
            self.assertEqual(saved.region_id, "14")

    @EXAMPLES
    @given(
        title=HOSTILE_TEXT,
        start=HOSTILE_DATE,
        end=HOSTILE_DATE,
        participants=HOSTILE_NUMBER,
        kind=st.sampled_from(["conference", "seminar", "party", ""]),
    )
    @example("Konferencja przykładowa", "2014-12-11", "2014-12-12", "120", "conference")
    @example("Konferencja przykładowa", "2014-12-11", "2014-12-10", "", "conference")
    @example("", "", "", "", "seminar")
    def test_the_event_form(self, title, start, end, participants, kind):
        refused = (
            not title.strip()
            or kind not in {"conference", "seminar"}
            or (iso_date(start) and iso_date(end) and end < start)
            or (end != "" and start == "")
        )
        valid = (
            plain(title)
            and kind in {"conference", "seminar"}
            and ((start == "" and end == "") or (iso_date(start) and (end == "" or (iso_date(end) and end >= start))))
            and plain_number(participants)
        )
        values = {
            "title": title,
            "kind": kind,
            "start_date": start,
            "end_date": end,
            "participant_count": participants,
        }
        accepted = False if refused else True if valid else None
        response = self.submit(admin_url(self.own_event, "change"), values, owner=self.own_event, accepted=accepted)
        if response.status_code == 302:
            Event.objects.get(pk=self.own_event.pk).full_clean()

    @EXAMPLES
    @given(first=HOSTILE_TEXT, last=HOSTILE_TEXT, email=HOSTILE_TEXT, phone=HOSTILE_TEXT, notes=HOSTILE_TEXT)
    @example("Anna", "Przykładowa", "anna@example.org", "+48 22 000 00 00", "Notatka")
    @example("Anna", "", "", "", "")
    @example("Anna", "Przykładowa", "nie-adres", "", "")
    def test_the_person_form(self, first, last, email, phone, notes):
        refused = not first.strip() or not last.strip() or "\x00" in email or (email.strip() != "" and "@" not in email)
        valid = (
            plain(first)
            and plain(last)
            and email in {"", "anna@example.org"}
            and (phone == "" or (plain(phone) and len(phone) <= 40))
            and (notes == "" or plain(notes))
        )
        values = {
            "first_name": first,
            "last_name": last,
            "affiliation": str(self.own_institution.pk),
            "email": email,
            "phone": phone,
            "private_notes": notes,
        }
        accepted = False if refused else True if valid else None
        response = self.submit(admin_url(Person, "add"), values, accepted=accepted)
        if response.status_code == 302:
            Person.objects.latest("pk").full_clean()
