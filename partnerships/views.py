import re
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Value, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import charts, opendata
from core.cache import cached
from core.listing import list_parameters, listing_context
from core.page_cache import cacheable
from core.provenance import References
from core.querysets import along
from core.ratelimits import rate_limited
from events.models import Event, Patron, Project, Speaker
from members.models import Institution, Person, Sector
from territory.boundaries import county_shapes, viewbox_around, voivodeship_borders
from territory.models import Commune

from . import exports, statistics
from .certificates import describe, pdf_file
from .filters import PartnershipFilterSet, StatisticsFilterSet
from .forms import CERTIFICATE_NUMBER, CertificateLookupForm
from .models import (
    Agreement,
    Certificate,
    Evaluation,
    Membership,
    Partnership,
    Principle,
    Signatory,
    TargetGroup,
    ThematicArea,
)


@require_safe
# An export is streamed and never stored; `format` is in the key all the same, so that no
# export address can ever be answered with the cached list.
@cacheable(query=(*list_parameters(PartnershipFilterSet), "format"))
def partnership_list(request: HttpRequest) -> HttpResponse:
    filterset = PartnershipFilterSet(request.GET or None)
    if request.GET.get("format") in opendata.FORMATS:
        return exports.stream(filterset.qs, request.GET["format"])
    context = listing_context(
        request,
        filterset,
        _("Partnerships"),
        related=["home_voivodeship"],
        prefetch=["area_counties", "area_communes"],
    )
    return render(request, "partnerships/partnership_list.html", context)


@require_safe
@cacheable()
def partnership_detail(request: HttpRequest, slug: str) -> HttpResponse:
    signatories = Signatory.objects.select_related("person", "institution")
    memberships = Membership.objects.select_related("institution__commune__county", "represented_by").order_by(
        "role", "institution__name"
    )
    queryset = (
        Partnership.objects.public()
        .select_related("home_voivodeship", "project")
        .prefetch_related(
            "area_counties",
            Prefetch("area_communes", queryset=Commune.objects.select_related("county")),
            Prefetch("events", queryset=Event.objects.public().select_related("commune")),
            Prefetch("memberships", queryset=memberships),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.select_related("signed_at").prefetch_related(
                    Prefetch("signatories", queryset=signatories)
                ),
            ),
            Prefetch("evaluations", queryset=Evaluation.objects.select_related("author")),
            Prefetch("certificates", queryset=Certificate.objects.order_by("-issued_on", "-number")),
            "unnamed_members",
        )
    )
    partnership = get_object_or_404(queryset, slug=slug)
    terms = terms_of(partnership)
    all_memberships = list(partnership.memberships.all())
    current = [m for m in all_memberships if m.left_on is None]
    unnamed = list(partnership.unnamed_members.all())
    by_sector = {sector: [m for m in current if m.institution.sector == sector] for sector in Sector}
    unnamed_by_sector = {sector: [u for u in unnamed if u.sector == sector] for sector in Sector}
    counties = {c.code: c for c in partnership.area_counties.all()}
    counties.update({c.county.code: c.county for c in partnership.area_communes.all()})
    # The area among the other powiats of its voivodeship(s), in grey, inside the voivodeship's
    # border: where it is, not a shape floating on its own. One query for the powiats; the
    # border of the home voivodeship comes with the partnership, another one's costs a query.
    regions = {code[:2] for code in counties}
    shapes = county_shapes(regions, highlighted=counties)
    borders = voivodeship_borders(regions)
    leaders = [m for m in current if m.role == Membership.Role.LEADER]
    context = {
        "partnership": partnership,
        "target_groups": terms[TargetGroup],
        "thematic_areas": terms[ThematicArea],
        "principles": terms[Principle],
        # The lead member coordinates; its own public contact is the partnership's, never a person's.
        "coordinator": leaders[0].institution if leaders else None,
        "keeping_centre": keeping_centre(partnership.home_voivodeship_id),
        "members_by_sector": [
            (Sector(s).label, ms, unnamed_by_sector[s]) for s, ms in by_sector.items() if ms or unnamed_by_sector[s]
        ],
        "sector_counts": sector_counts(by_sector, unnamed_by_sector),
        "unnamed_members": unnamed,
        "refs": References([partnership, *all_memberships, *partnership.agreements.all()]),
        "former_members": [m for m in all_memberships if m.left_on is not None],
        "listed_member_count": len(current),
        "map_shapes": shapes if counties else [],
        "map_border": " ".join(borders),
        "map_viewbox": viewbox_around(borders or [s.outline for s in shapes]),
        "breadcrumbs": [(_("Partnerships"), reverse("partnerships:partnership_list")), (partnership.name, "")],
    }
    return render(request, "partnerships/partnership_detail.html", context)


# The partnership's links to the terms of each vocabulary.
TERM_LINKS = {TargetGroup: "target_groups", ThematicArea: "thematic_areas", Principle: "principles"}


def terms_of(partnership: Partnership) -> dict[type, list]:
    """The partnership's target groups, thematic areas and principles, each in its vocabulary's
    order. One query for which ones (a UNION of the three link tables); the terms themselves, a
    few dozen, are read once per data generation (core.cache)."""
    links = []
    for index, name in enumerate(TERM_LINKS.values()):
        field = Partnership._meta.get_field(name)
        through = field.remote_field.through.objects.filter(**{field.m2m_field_name(): partnership})
        links.append(through.annotate(vocabulary=Value(index)).values_list("vocabulary", field.m2m_reverse_name()))
    chosen = links[0].union(*links[1:], all=True)
    vocabularies = cached("reference-terms", lambda: [{t.pk: t for t in model.objects.all()} for model in TERM_LINKS])
    ids = [set() for _model in TERM_LINKS]
    for index, pk in chosen:
        ids[index].add(pk)
    # The terms of each vocabulary come in its order (ReferenceTerm.Meta), as read.
    return {
        model: [term for pk, term in vocabularies[index].items() if pk in ids[index]]
        for index, model in enumerate(TERM_LINKS)
    }


def keeping_centre(voivodeship: str) -> Institution | None:
    """The regional centre that keeps the records of ``voivodeship``, with its seat: the same
    for every partnership of the voivodeship, so read once per data generation (core.cache)."""
    # In a list: the cache keeps None as "not computed".
    return cached(
        f"keeping-centre:{voivodeship}",
        lambda: [Institution.objects.public().select_related("commune").centre_keeping(voivodeship)],
    )[0]


@dataclass
class SectorCount:
    """Members of one sector: named ones, and those known only by kind (an exact number, and
    whether some are counted only as "several" or "number not given")."""

    label: str
    named: int
    unnamed: int
    uncounted: bool


def sector_counts(named: dict, unnamed: dict) -> list[SectorCount]:
    counts = []
    for sector in Sector:
        exact = sum(u.count or 0 for u in unnamed[sector])
        uncounted = any(u.count_kind != u.Count.EXACT for u in unnamed[sector])
        if named[sector] or unnamed[sector]:
            counts.append(SectorCount(Sector(sector).label, len(named[sector]), exact, uncounted))
    return counts


# Certificates: public verification by the code printed under the QR code.

# What a verification code can look like; anything else (a NUL byte, a quote, a path) is
# answered with the not-found page before it reaches the database.
CERTIFICATE_CODE = re.compile(r"[A-Za-z0-9_-]{10,64}")


def _certificate_by_code(code: str, certificates=None) -> Certificate | None:
    """The certificate of ``code`` from ``certificates`` (all, with what the verification page
    shows, by default); None for a malformed or unknown code. One query, none for a malformed code."""
    if not CERTIFICATE_CODE.fullmatch(code):
        return None
    if certificates is None:
        certificates = Certificate.objects.select_related("partnership", "superseded_by", "issuing_centre")
    try:
        # Codes are lower case; a code typed from paper in capitals still finds its certificate.
        return certificates.get(verification_code=code.lower())
    except Certificate.DoesNotExist:
        return None


def _certificate_not_found(request: HttpRequest) -> HttpResponse:
    response = render(request, "partnerships/certificate_not_found.html", status=404)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@never_cache
# The same budget as the verification page it leads to: a lookup is a verification attempt.
@rate_limited("certificate-verification", "CERTIFICATE_VERIFICATIONS_PER_MINUTE")
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """``/certyfikaty/``: type the code printed on the paper (or the certificate's number) and
    go to its verification page. A number is public (partnership pages show it), so it leads
    to the verification page only where the holder published it; otherwise the page says
    which certificate it is and its status, and asks for the code. At most one query."""
    form = CertificateLookupForm(request.GET or None)
    context = {"form": form, "breadcrumbs": [(_("Certificate verification"), "")]}
    if not form.is_valid():
        return render(request, "partnerships/certificate_lookup.html", context)
    typed = form.cleaned_data["kod"]
    if CERTIFICATE_NUMBER.fullmatch(typed):
        certificate = Certificate.objects.select_related("partnership").filter(number=typed).first()
        if certificate is not None and certificate.verification_published:
            return redirect(certificate)
        context["by_number"] = certificate
    else:
        certificate = _certificate_by_code(typed, Certificate.objects.only("verification_code"))
        if certificate is not None:
            return redirect(certificate)
    if certificate is None:
        form.add_error("kod", _("No certificate in the registry has this code or number. Check it against the paper."))
        response = render(request, "partnerships/certificate_lookup.html", context, status=404)
        response["X-Robots-Tag"] = "noindex"
        return response
    return render(request, "partnerships/certificate_lookup.html", context)


@require_safe
@never_cache
@rate_limited("certificate-verification", "CERTIFICATE_VERIFICATIONS_PER_MINUTE")
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Whether a certificate is genuine and valid, revoked or superseded, and what it certified
    (from its snapshot). Counts the verification; never cached, so a revocation shows at once."""
    certificate = _certificate_by_code(code)
    if certificate is None:
        return _certificate_not_found(request)
    # A person reads the page with GET; a link checker's or load balancer's HEAD is no verification.
    if request.method == "GET":
        Certificate.objects.filter(pk=certificate.pk).update(verification_count=F("verification_count") + 1)
    context = {
        **describe(certificate),
        "certificate": certificate,
        "breadcrumbs": [(_("Certificate verification"), "")],
    }
    response = render(request, "partnerships/certificate_verify.html", context)
    # Verification pages answer people holding a certificate; they are not search results.
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@never_cache
@rate_limited("certificate-pdf", "CERTIFICATE_PDFS_PER_MINUTE")
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The certificate's PDF, shown in the browser; a revoked or superseded one is marked void.
    Streamed from the media storage, where it was stored when the certificate was issued or
    changed status: one query and a file read, no rendering (``pdf_file``)."""
    # Only the row: the snapshot is read (a query more) only if the PDF must be rendered.
    certificate = _certificate_by_code(code, Certificate.objects.defer("snapshot"))
    if certificate is None:
        return _certificate_not_found(request)
    filename = f"{certificate.number.replace('/', '-')}.pdf"
    response = FileResponse(pdf_file(certificate), content_type="application/pdf", filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Robots-Tag"] = "noindex"
    return response


# The pages of an institution and of an event show the partnerships they take part in, so
# they are built here, in the app that knows all three; their addresses stay in the members'
# and events' namespaces (config.urls).

# Rows of each long list on an institution's page; the rest are on the filtered lists.
DETAIL_LIST_LIMIT = 30
# Contact data and notes of people stay in the database: not even loaded for a public page.
PERSON_PRIVATE = [f"person__{name}" for name in Person.PRIVATE_FIELDS]


@require_safe
@cacheable()
def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution with its partnerships, events and people: five queries, whatever their
    number (without people, the institution is read apart and there are no talks to read).

    Current memberships come first, then the former ones, newest end first. A large welfare
    centre is in hundreds of partnerships and organises hundreds of events: the page shows the
    first of each and links to the filtered list of all of them (one more row read tells
    whether there are more).
    """
    # The institution comes with its people, in one query; one without people is read apart.
    institutions = Institution.objects.public().select_related("commune__county__voivodeship")
    # Through the join, not a subquery of public(): PostgreSQL takes longer to plan that
    # (5 ms) than to run the page's query.
    people = list(
        Person.objects.public()
        .filter(along(Institution.objects.public_condition(), "affiliation__"), affiliation__slug=slug)
        .select_related("affiliation__commune__county__voivodeship")
        .order_by("last_name", "first_name", "pk")
    )
    institution = people[0].affiliation if people else institutions.filter(slug=slug).first()
    if institution is None:
        # The address of an institution merged into another one leads there for good.
        kept = Institution.objects.public().filter(aliases__slug=slug).only("slug").first()
        if kept is None:
            raise Http404
        return HttpResponsePermanentRedirect(kept.get_absolute_url())
    memberships = list(
        Membership.objects.filter(institution=institution)
        .select_related("partnership")
        .only("institution", "role", "joined_on", "left_on", "partnership__name", "partnership__slug")
        .order_by(F("left_on").desc(nulls_first=True), "partnership__name", "joined_on", "pk")[: DETAIL_LIST_LIMIT + 1]
    )
    organised_events = list(
        Event.objects.public()
        .filter(organisers=institution)
        .select_related("commune")
        .only("title", "slug", "start_date", "commune__name")
        .order_by(F("start_date").desc(nulls_last=True), "title", "pk")[: DETAIL_LIST_LIMIT + 1]
    )
    # The newest event first; each talk's person is one of the people above (public fields only).
    talks = list(
        Speaker.objects.filter(person__in=people)
        .select_related("person", "event__commune")
        .defer(*PERSON_PRIVATE)
        .order_by(F("event__start_date").desc(nulls_last=True), "person__last_name", "person__first_name", "pk")
    )
    context = {
        "institution": institution,
        "memberships": memberships[:DETAIL_LIST_LIMIT],
        "more_memberships": len(memberships) > DETAIL_LIST_LIMIT,
        "organised_events": organised_events[:DETAIL_LIST_LIMIT],
        "more_organised_events": len(organised_events) > DETAIL_LIST_LIMIT,
        "talks": talks,
        "people": people,
        "refs": References([institution, *people]),
        "breadcrumbs": [(_("Institutions"), reverse("members:institution_list")), (institution.name, "")],
    }
    return render(request, "members/institution_detail.html", context)


@require_safe
@cacheable()
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The event with its people, materials, agreements and partnerships: seven queries, whatever
    their number (eight for an event without organisers: it is read apart)."""
    events = Event.objects.public().select_related("commune__county", "project")
    # The event comes with its organisers, in one query: the rows linking them, each with the
    # event and the institution. An event without organisers is read apart.
    organised = list(
        Event.organisers.through.objects.filter(
            along(Event.objects.public_condition(), "event__"),
            along(Institution.objects.public_condition(), "institution__"),
            event__slug=slug,
        )
        .select_related("event__commune__county", "event__project", "institution")
        .order_by("institution__name", "institution__pk")
    )
    event = organised[0].event if organised else events.filter(slug=slug).first()
    if event is None:
        raise Http404
    prefetch_related_objects(
        [event],
        Prefetch(
            "patrons",
            queryset=Patron.objects.select_related("person", "institution").defer(*PERSON_PRIVATE).order_by("pk"),
        ),
        Prefetch("speakers", queryset=Speaker.objects.select_related("person__affiliation").defer(*PERSON_PRIVATE)),
        "materials",
    )
    context = {
        "event": event,
        "organisers": [link.institution for link in organised],
        "patrons": list(event.patrons.all()),
        "speakers": list(event.speakers.all()),
        "materials": list(event.materials.all()),
        "agreements": list(Agreement.objects.filter(signed_at=event).select_related("partnership")),
        "refs": References(
            [
                event,
                *(s.person for s in event.speakers.all()),
                *(p.person for p in event.patrons.all() if p.person),
                *event.materials.all(),
            ]
        ),
        "partnerships": list(Partnership.objects.public().filter(events=event).order_by("name")),
        "breadcrumbs": [(_("Events"), reverse("events:event_list")), (event.title, "")],
    }
    return render(request, "events/event_detail.html", context)


# Funding projects and the principles of partnership: held by the registry, shown here because
# their pages list partnerships.


@require_safe
@cacheable()
def project_list(request: HttpRequest) -> HttpResponse:
    projects = list(
        Project.objects.with_page()
        .select_related("operator")
        .annotate(partnership_count=Count("partnerships", distinct=True))
        .order_by("name")
    )
    context = {"projects": projects, "breadcrumbs": [(_("Projects"), "")]}
    return render(request, "partnerships/project_list.html", context)


@require_safe
@cacheable()
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The project with its funding line, operator, years, events, materials and partnerships."""
    project = get_object_or_404(Project.objects.public().select_related("operator"), slug=slug)
    events = list(Event.objects.public().filter(project=project).select_related("commune"))
    materials = list(project.materials.all())
    partnerships = list(
        Partnership.objects.public().filter(project=project).prefetch_related("area_counties").order_by("name")
    )
    context = {
        "project": project,
        "events": events,
        "materials": materials,
        "partnerships": partnerships,
        "refs": References([project, *events, *materials]),
        "breadcrumbs": [(_("Projects"), reverse("projects:project_list")), (project.name, "")],
    }
    return render(request, "partnerships/project_detail.html", context)


@require_safe
@cacheable()
def principle_list(request: HttpRequest) -> HttpResponse:
    """The eight principles, each with the partnerships that adopt it (as their records say)."""
    principles = list(
        Principle.objects.prefetch_related(
            Prefetch("partnerships", queryset=Partnership.objects.public().only("name", "slug").order_by("name", "pk"))
        )
    )
    context = {
        "principles": principles,
        "refs": References(principles),
        "stages": Partnership.Stage.choices,
        "breadcrumbs": [(_("Principles of partnership"), "")],
    }
    return render(request, "partnerships/principle_list.html", context)


@require_safe
@cacheable(query=["wojewodztwo", "tabela", "format"])
def statistics_page(request: HttpRequest) -> HttpResponse:
    """/statystyki/: the statistics' charts and tables, of the whole country or of the voivodeship
    ``wojewodztwo`` (validated as the lists validate it: an unknown code is a message, and the
    country's figures are shown); ``tabela`` (with ``format``, CSV by default) downloads one table."""
    value = request.GET.get("wojewodztwo", "")
    filterset = StatisticsFilterSet({"wojewodztwo": value})
    voivodeship, error = None, ""
    if value:
        if filterset.is_valid():
            voivodeship = filterset.form.cleaned_data["wojewodztwo"] or None
        else:
            error = " ".join(filterset.form.errors.get("wojewodztwo", []))
    name = request.GET.get("tabela")
    if name is not None and not error:
        export_format = request.GET.get("format")
        return statistics.download(name, voivodeship, export_format if export_format in opendata.FORMATS else "csv")
    tables = statistics.cached_tables(voivodeship)
    query = f"wojewodztwo={voivodeship}&" if voivodeship else ""
    names = dict(filterset.form.fields["wojewodztwo"].choices)
    context = {
        "sections": [
            (
                table,
                charts.bar_chart(table.chart_items()) if table.chart and table.rows else None,
                f"?{query}tabela={table.name}",
            )
            for table in tables
        ],
        "voivodeship": voivodeship,
        "voivodeship_name": names.get(voivodeship, ""),
        "voivodeship_choices": [choice for choice in filterset.form.fields["wojewodztwo"].choices if choice[0]],
        "error": error,
        "breadcrumbs": [(_("Statistics"), "")],
    }
    return render(request, "partnerships/statistics.html", context)
