"""Site-wide pages that belong to no single app: they bring territory, institutions, events
and partnerships together, which only `config` may import all at once."""

import datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps_views
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db.models import Count, F, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import readiness
from core.cache import cached, cached_count
from core.page_cache import cacheable
from events.models import Event
from members.models import Institution
from partnerships import dumps
from partnerships.models import Partnership
from territory.boundaries import MAP_VIEWBOX, MapShape, county_shapes, viewbox_around
from territory.models import Commune, County, Voivodeship

from .sitemaps import SITEMAPS

# Upper bounds of the map's colour classes; the last class is "more": none, one, two or more.
# Three classes because no more can be told apart by lightness alone: WCAG 1.4.11 asks 3:1
# between a class and the next and against the background, and three steps of 3:1 would
# need 27:1, more than the 21:1 between white and black.
MAP_CLASSES = (0, 1)
# The fill of each class, written into the SVG (the one definition; tests compute the ratios
# from it). Class 0, no partnership, is the background itself: its counties are told apart by
# their outline (MAP_OUTLINE, 5.3:1 against it), as 1.4.11 allows.
MAP_BACKGROUND = "#ffffff"
MAP_PALETTE = ("#ffffff", "#d9657d", "#4a0a1c")
MAP_OUTLINE = "#6b6b6b"
COUNTY_PAGE_LIMIT = 50


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the process answers. Touches no database on purpose."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers: the database, the cache and the storage answer (no record
    is read; core.readiness). 503 naming what failed, so that the balancer stops sending this
    instance requests until it recovers. Neither page-cached nor rate limited."""
    failed = readiness.failures()
    checks = {name: "failed" if name in failed else "ok" for name in readiness.CHECKS}
    return JsonResponse({"ready": not failed, "checks": checks}, status=503 if failed else 200)


# The only kinds of file the registry stores (members.uploads checks them by content); the
# type is fixed by the generated name's suffix, never sniffed from the bytes.
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".pdf": "application/pdf",
}


@require_safe
def media(request: HttpRequest, path: str) -> FileResponse:
    """An uploaded file, read through the media storage, under headers that keep hostile
    content inert: a fixed content type, ``nosniff``, a download for documents, and a policy
    that runs nothing even if a browser opened the file as a page. Names are generated (uuid),
    so a file never changes: cached for a year. A name the storage refuses (one that leaves
    it) or does not hold is a 404."""
    name = PurePosixPath(path)
    content_type = MEDIA_TYPES.get(name.suffix)
    if content_type is None:
        raise Http404
    try:
        file = default_storage.open(path, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404 from None
    is_document = content_type == "application/pdf"
    response = FileResponse(file, content_type=content_type, as_attachment=is_document, filename=name.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    if not is_document:
        response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=name.name)
    return response


def login_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers to a login of a locked user name and address (429, in Polish)."""
    context = {
        **admin.site.each_context(request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)),
    }
    return render(request, "admin/locked_out.html", context, status=429)


def public_counts_by_county() -> dict[str, int]:
    """How many public partnerships work in each county: the map's and the county list's
    numbers, counted once per data generation."""
    return cached("partnerships-by-county", Partnership.objects.public().counts_by_county)


def _map_class(count: int) -> int:
    return next((index for index, bound in enumerate(MAP_CLASSES) if count <= bound), len(MAP_CLASSES))


def _country_map(by_county: dict[str, int]) -> str:
    """The home page's map of the 380 powiats, its legend and its table, as markup: most of
    the page's work, so ``home`` keeps it per data generation and language."""
    counties = list(County.objects.active().select_related("voivodeship").order_by("voivodeship__name", "name"))
    shapes = []
    for county in counties:
        if not county.outline:
            continue
        count = by_county.get(county.code, 0)
        label = ngettext("%(county)s: %(count)d partnership", "%(county)s: %(count)d partnerships", count) % {
            "county": county,
            "count": count,
        }
        url = reverse("county_detail", args=[county.code]) if count else ""
        shape = MapShape(county.code, label, county.outline, url=url, highlighted=bool(count))
        shapes.append((shape, _map_class(count), MAP_PALETTE[_map_class(count)]))
    legend = []
    lower = 0
    for index, bound in enumerate(MAP_CLASSES):
        legend.append((index, f"{lower}" if lower == bound else f"{lower}–{bound}", MAP_PALETTE[index]))
        lower = bound + 1
    legend.append((len(MAP_CLASSES), f"{lower}+", MAP_PALETTE[len(MAP_CLASSES)]))
    voivodeships = list(Voivodeship.objects.active())
    context = {
        "map_shapes": shapes,
        "map_viewbox": MAP_VIEWBOX,
        "map_legend": legend,
        "county_rows": [(c, by_county[c.code]) for c in counties if by_county.get(c.code)],
        "voivodeships": voivodeships,
        # The voivodeships' borders, drawn over the powiats as one path.
        "map_borders": " ".join(v.outline for v in voivodeships if v.outline),
        "map_outline": MAP_OUTLINE,
        # The fill of class 0, which the counties without a link inherit.
        "map_background": MAP_PALETTE[0],
    }
    return render_to_string("pages/home_country_map.html", context)


@require_safe
@cacheable()
def home(request: HttpRequest) -> HttpResponse:
    partnerships = Partnership.objects.public()
    by_county = public_counts_by_county()
    context = {
        "partnership_count": cached_count(partnerships),
        "institution_count": cached_count(Institution.objects.public()),
        "event_count": cached_count(Event.objects.public()),
        "county_with_partnerships_count": len(by_county),
        "country_map": cached(f"home-country-map:{get_language()}", lambda: _country_map(by_county)),
        "latest_events": list(
            Event.objects.public()
            .filter(start_date__isnull=False)
            .select_related("commune")
            # The lists' order, which an index serves (events migration 0006).
            .order_by(F("start_date").desc(nulls_last=True), "title", "pk")[:5]
        ),
    }
    return render(request, "pages/home.html", context)


@require_safe
@cacheable()
def county_list(request: HttpRequest) -> HttpResponse:
    """Voivodeships, each with its counties and how many partnerships work there."""
    by_county = public_counts_by_county()
    voivodeships = Voivodeship.objects.active().prefetch_related(
        Prefetch("counties", queryset=County.objects.active().order_by("name"))
    )
    rows = [
        (
            v,
            [(c, by_county.get(c.code, 0)) for c in v.counties.all()],
            sum(by_county.get(c.code, 0) for c in v.counties.all()),
        )
        for v in voivodeships
    ]
    return render(request, "territory/county_list.html", {"voivodeships": rows})


def territorial_breadcrumbs(county: County, commune: Commune | None = None) -> list[tuple[str, str]]:
    """Województwo → powiat → gmina, each linked but the last: the voivodeship to its section
    of the county list."""
    voivodeship = county.voivodeship
    crumbs = [
        (_("Counties"), reverse("county_list")),
        (_("Voivodeship %(name)s") % {"name": voivodeship.name}, reverse("county_list") + f"#woj-{voivodeship.code}"),
        (str(county), reverse("county_detail", args=[county.code])),
    ]
    if commune is not None:
        crumbs.append((_("commune %(name)s") % {"name": commune.name}, ""))
    else:
        crumbs[-1] = (str(county), "")
    return crumbs


def commune_rows(county: County, communes: list[Commune]) -> list[tuple[Commune, int, int, int]]:
    """The county's ``communes``, each with how many partnerships work there (in the commune, or
    in the whole county), institutions are seated there and events were held there. The counts
    are computed once per data generation (core.cache): four queries then, none after."""
    codes = sorted(c.code for c in communes)

    def count() -> dict[str, tuple[int, int, int]]:
        whole_county = set(
            Partnership.area_counties.through.objects.filter(county_id=county.code).values_list(
                "partnership_id", flat=True
            )
        )
        by_commune: dict[str, set[int]] = {}
        pairs = Partnership.area_communes.through.objects.filter(commune_id__in=codes)
        for commune, partnership in pairs.values_list("commune_id", "partnership_id"):
            by_commune.setdefault(commune, set()).add(partnership)
        institutions, events = (
            dict(
                records.filter(commune__in=codes)
                .order_by()
                .values_list("commune")
                .annotate(n=Count("pk"))
                .values_list("commune", "n")
            )
            for records in (Institution.objects.public(), Event.objects.public())
        )
        return {
            code: (len(whole_county | by_commune.get(code, set())), institutions.get(code, 0), events.get(code, 0))
            for code in codes
        }

    counts = cached(f"commune-counts:{county.code}", count)
    return [(c, *counts[c.code]) for c in communes]


@require_safe
@cacheable()
def commune_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One gmina: the partnerships working there (in it or in its whole powiat), the
    institutions seated there, the events held there."""
    commune = get_object_or_404(Commune.objects.select_related("county__voivodeship"), code=code)
    partnerships = Partnership.objects.public().working_in(code).order_by("name")
    institutions = Institution.objects.public().filter(commune=code).order_by("name", "pk")
    events = Event.objects.public().filter(commune=code)
    context = {
        "commune": commune,
        "county": commune.county,
        "partnerships": list(partnerships[:COUNTY_PAGE_LIMIT]),
        "partnership_count": cached_count(partnerships),
        "institutions": list(institutions[:COUNTY_PAGE_LIMIT]),
        "institution_count": cached_count(institutions),
        "events": list(events[:COUNTY_PAGE_LIMIT]),
        "event_count": cached_count(events),
        "limit": COUNTY_PAGE_LIMIT,
        "breadcrumbs": territorial_breadcrumbs(commune.county, commune),
    }
    return render(request, "territory/commune_detail.html", context)


@require_safe
@cacheable()
def county_detail(request: HttpRequest, code: str) -> HttpResponse:
    county = get_object_or_404(County.objects.select_related("voivodeship"), code=code)
    partnerships = Partnership.objects.public().working_in(code).select_related("home_voivodeship").order_by("name")
    # By the list of its communes' codes, not by a join: the planner then reads a city's 3,000
    # institutions from the (commune, name) index in order instead of sorting all of them.
    communes = list(county.communes.order_by("name", "code"))
    codes = sorted(c.code for c in communes)
    institutions = Institution.objects.public().filter(commune__in=codes).select_related("commune")
    events = Event.objects.public().filter(commune__in=codes).select_related("commune")
    shapes = county_shapes([county.voivodeship_id], highlighted={county.code})
    context = {
        "county": county,
        "partnerships": list(partnerships[:COUNTY_PAGE_LIMIT]),
        "partnership_count": cached_count(partnerships),
        "institutions": list(institutions[:COUNTY_PAGE_LIMIT]),
        "institution_count": cached_count(institutions),
        "events": list(events[:COUNTY_PAGE_LIMIT]),
        "event_count": cached_count(events),
        "limit": COUNTY_PAGE_LIMIT,
        "map_shapes": shapes,
        "map_border": county.voivodeship.outline,
        "map_viewbox": viewbox_around(
            [county.voivodeship.outline] if county.voivodeship.outline else [s.outline for s in shapes]
        ),
        "communes": commune_rows(county, communes),
        "breadcrumbs": territorial_breadcrumbs(county),
    }
    return render(request, "territory/county_detail.html", context)


# The JSON Schemas of the open data, kept in docs/ beside their description and served as they are.
OPEN_DATA_SCHEMAS = ("partnerships", "institutions", "events")


def _dump_titles() -> dict[str, str]:
    """The title of each dataset of a dump, by its JSON key (the manifest's ``dataset``)."""
    return {
        "partnerships": _("Partnerships"),
        "institutions": _("Institutions"),
        "events": _("Events"),
        "projects": _("Projects"),
        "memberships": _("Memberships"),
        "sources": _("Sources"),
    }


@require_safe
@cacheable()
def open_data(request: HttpRequest) -> HttpResponse:
    """/dane/: what the registry publishes, under which licence, every column of every list,
    and the dated full dumps in storage (read once per data generation: publishing a dump
    starts a new one)."""
    from events.exports import COLUMNS as EVENT_COLUMNS
    from events.exports import PROJECT_COLUMNS
    from members.exports import COLUMNS as INSTITUTION_COLUMNS
    from partnerships.exports import COLUMNS as PARTNERSHIP_COLUMNS
    from partnerships.exports import MEMBERSHIP_COLUMNS, SOURCE_COLUMNS

    lists = [
        (_("Partnerships"), reverse("partnerships:partnership_list"), "partnerships", PARTNERSHIP_COLUMNS),
        (_("Institutions"), reverse("members:institution_list"), "institutions", INSTITUTION_COLUMNS),
        (_("Events"), reverse("events:event_list"), "events", EVENT_COLUMNS),
    ]
    titles = _dump_titles()
    published = []
    for manifest in dumps.published():
        by_dataset: dict[str, dict] = {}
        for entry in manifest["files"]:
            url = reverse("open_data_dump", args=[manifest["date"], entry["name"]])
            row = by_dataset.setdefault(entry["dataset"], {"title": titles.get(entry["dataset"], entry["dataset"])})
            row["rows"] = entry["rows"]
            row["json" if entry["format"] == "json" else "csv"] = {**entry, "url": url}
        published.append(
            {
                "date": datetime.date.fromisoformat(manifest["date"]),
                "iso_date": manifest["date"],
                "datasets": list(by_dataset.values()),
                "manifest_url": reverse("open_data_dump", args=[manifest["date"], dumps.MANIFEST]),
                "checksums_url": reverse("open_data_dump", args=[manifest["date"], dumps.CHECKSUMS]),
            }
        )
    context = {
        "lists": [
            (title, url, reverse("open_data_schema", args=[name]), list(columns.items()))
            for title, url, name, columns in lists
        ],
        "dump_only": [
            (titles["projects"], "projekty", list(PROJECT_COLUMNS.items())),
            (titles["memberships"], "czlonkostwa", list(MEMBERSHIP_COLUMNS.items())),
            (titles["sources"], "zrodla", list(SOURCE_COLUMNS.items())),
        ],
        "dumps": published,
        "dumps_keep": settings.OPEN_DATA_DUMPS_KEEP,
        "breadcrumbs": [(_("Open data"), "")],
    }
    return render(request, "pages/open_data.html", context)


DUMP_TYPES = {".zip": "application/zip", ".json": "application/json"}


@require_safe
def open_data_dump(request: HttpRequest, date: str, name: str) -> FileResponse:
    """One file of a dated dump, streamed from the dumps' storage as a download under its own
    name (which SHA256SUMS names). Only the names a dump writes are served; anything else,
    or a day no longer kept, is a 404."""
    if name not in dumps.file_names():
        raise Http404
    try:
        file = dumps.dump_storage().open(f"{dumps.folder_of_date(date)}/{name}", "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404 from None
    content_type = DUMP_TYPES.get(PurePosixPath(name).suffix, "text/plain; charset=utf-8")
    response = FileResponse(file, content_type=content_type, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    # A day's dump is replaced when it is published again that day.
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
@cacheable()
def open_data_schema(request: HttpRequest, name: str) -> HttpResponse:
    """The JSON Schema of one list's JSON download, from docs/."""
    if name not in OPEN_DATA_SCHEMAS:
        raise Http404
    text = (settings.BASE_DIR / "docs" / f"{name}.schema.json").read_text(encoding="utf-8")
    return HttpResponse(text, content_type="application/schema+json")


@require_safe
@cacheable()
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The statement Polish public bodies must publish (ustawa z 4 kwietnia 2019 r.)."""
    context = {
        # The site's own address, never the request's Host: the page is cached for everyone.
        "site_url": settings.SITE_URL,
        "operator": settings.SITE_OPERATOR or _("The operator of this registry"),
        "contact_name": settings.CONTACT_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": settings.CONTACT_PHONE,
        "published_on": datetime.date.fromisoformat(settings.ACCESSIBILITY_PUBLISHED_ON),
        "updated_on": datetime.date.fromisoformat(settings.ACCESSIBILITY_UPDATED_ON),
    }
    return render(request, "pages/accessibility_statement.html", context)


def _sitemap_index_entries() -> tuple[list[dict], list]:
    """Every section's address, each further page of it, and the section's latest change."""
    entries = []
    section_dates = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = settings.SITE_URL + reverse("sitemap_section", kwargs={"section": section})
        last_mod = sitemap.get_latest_lastmod()
        section_dates.append(last_mod)
        entries.append({"location": location, "last_mod": last_mod})
        entries.extend(
            {"location": f"{location}?p={page}", "last_mod": last_mod}
            for page in range(2, sitemap.paginator.num_pages + 1)
        )
    return entries, section_dates


@require_safe
@cacheable()
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap's index: every section, each further page of it (``?p=2``…), and the
    section's latest change, as Django's index view lists them but with addresses that start
    with ``SITE_URL``: Django's view takes the host from the request and has no hook for it.
    The entries are computed once per data generation (core.cache)."""
    entries, section_dates = cached(f"sitemap-index:{settings.SITE_URL}", _sitemap_index_entries)
    # As Django's view: a date for the whole index only when every section has one (the
    # sections' dates are the aware times of the records' last changes).
    headers = None
    if section_dates and None not in section_dates:
        headers = {"Last-Modified": http_date(max(section_dates).timestamp())}
    response = TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml", headers=headers
    )
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


@require_safe
@cacheable(query=["p"])
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page (``?p=``) of a section of the sitemap, by Django's view; its addresses start with
    ``SITE_URL`` (config.sitemaps.RegistrySitemap). An unknown section or page is a 404."""
    return sitemaps_views.sitemap(request, SITEMAPS, section=section)
