"""sitemap.xml: every public page, each kind starting from its one definition of "public".

Every page is listed at its Polish address with its English one as an hreflang alternate.
Every address starts with ``SITE_URL``, never with the request's Host and scheme as Django's
sitemaps do by default: the sitemap is cached and served to everyone (core.page_cache), so a
request for another host or port must not choose its addresses.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from core.cache import cached
from core.listing import CachedCountPaginator
from events.models import Event, Project
from members.models import Institution
from partnerships.models import Partnership
from territory.models import Commune, County


def address_in(language: str, path: str) -> str:
    """The path of the page at ``path`` (a Polish address) in ``language``."""
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"


class RegistrySitemap(Sitemap):
    # A page of a section stays small enough to build on a request (Google allows 50,000).
    limit = 5000

    def get_protocol(self, protocol=None):
        """The scheme of ``SITE_URL``, whatever the request's was."""
        return settings.SITE_URL.partition("://")[0]

    def get_domain(self, site=None):
        """The rest of ``SITE_URL`` (host, port, a path prefix if any), whatever the request's
        Host was: every address is then ``SITE_URL`` + the page's path, like a certificate's."""
        return settings.SITE_URL.partition("://")[2]

    def get_latest_lastmod(self):
        """The index's date of a section, by one aggregate: Django's default calls ``lastmod``
        on every item of the section, which at national scale takes seconds. The aggregate
        scans the table, so it is computed once per data generation (core.cache)."""
        items = self.items()
        if not hasattr(self, "lastmod") or not hasattr(items, "aggregate"):
            return None
        return cached(
            f"sitemap-lastmod:{type(self).__name__}", lambda: items.aggregate(latest=Max("updated_at"))["latest"]
        )

    def get_urls(self, page=1, site=None, protocol=None):
        """Django's entries, each with its page's address in every language (hreflang
        alternates): the Polish address, and the same path under ``/en/`` (config.urls puts
        every public page in ``i18n_patterns`` without a prefix for Polish). Built from the
        path, no lookup per entry."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            path = url["location"].removeprefix(settings.SITE_URL)
            url["alternates"] = [
                {"lang_code": code, "location": settings.SITE_URL + address_in(code, path)}
                for code, _name in settings.LANGUAGES
            ]
        return urls

    @property
    def paginator(self):
        # The number of pages of a section, counted once per data generation too.
        return CachedCountPaginator(self.items(), self.limit)


class RecordSitemap(RegistrySitemap):
    """The pages of one kind of record, from its one definition of "public", dated by its
    last modification."""

    model: type
    changefreq = "monthly"

    def items(self):
        return self.model.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class PartnershipSitemap(RecordSitemap):
    model = Partnership
    changefreq = "weekly"
    priority = 0.8


class InstitutionSitemap(RecordSitemap):
    model = Institution


class EventSitemap(RecordSitemap):
    model = Event


class CountySitemap(RegistrySitemap):
    changefreq = "weekly"

    def items(self):
        return County.objects.active().only("code").order_by("code")

    def location(self, item):
        return reverse("county_detail", args=[item.code])


class CommuneSitemap(RegistrySitemap):
    changefreq = "weekly"

    def items(self):
        return Commune.objects.active().only("code").order_by("code")

    def location(self, item):
        return reverse("commune_detail", args=[item.code])


class PageSitemap(RegistrySitemap):
    """The site's own pages, and the funding projects: they are few (a funding line has many
    partnerships), so they are listed here rather than in a section of their own."""

    def items(self):
        pages = [
            "home",
            "partnerships:partnership_list",
            "members:institution_list",
            "events:event_list",
            "county_list",
            "projects:project_list",
            "principle_list",
            "open_data",
            "statistics",
            "accessibility_statement",
        ]
        projects = Project.objects.with_page().order_by("pk").values_list("slug", flat=True)
        return [(name, ()) for name in pages] + [("projects:project_detail", (slug,)) for slug in projects]

    def location(self, item):
        name, args = item
        return reverse(name, args=args)


SITEMAPS = {
    "pages": PageSitemap,
    "partnerships": PartnershipSitemap,
    "institutions": InstitutionSitemap,
    "events": EventSitemap,
    "counties": CountySitemap,
    "communes": CommuneSitemap,
}
