from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from members.models import Sector
from territory.boundaries import MapShape, viewbox_around
from territory.listing import listing_context
from territory.models import County

from . import exports
from .filters import PartnershipFilterSet
from .models import Agreement, Membership, Partnership, Signatory

EXPORT_FORMATS = ("csv", "json")


@require_GET
def partnership_list(request: HttpRequest) -> HttpResponse:
    filterset = PartnershipFilterSet(request.GET or None)
    if request.GET.get("format") in EXPORT_FORMATS:
        return exports.stream(filterset.qs, request.GET["format"])
    queryset = filterset.qs.select_related("home_voivodeship").prefetch_related("area_counties", "area_communes")
    context = listing_context(request, filterset, queryset, _("Partnerships"))
    return render(request, "partnerships/partnership_list.html", context)


@require_GET
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
            "area_communes__county",
            "target_groups",
            "thematic_areas",
            "principles",
            "events__commune",
            Prefetch("memberships", queryset=memberships),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.select_related("signed_at").prefetch_related(
                    Prefetch("signatories", queryset=signatories)
                ),
            ),
            "evaluations__author",
        )
    )
    partnership = get_object_or_404(queryset, slug=slug)
    all_memberships = list(partnership.memberships.all())
    current = [m for m in all_memberships if m.left_on is None]
    by_sector = {sector: [m for m in current if m.institution.sector == sector] for sector in Sector}
    counties = {c.code: c for c in partnership.area_counties.all()}
    counties.update({c.county.code: c.county for c in partnership.area_communes.all()})
    outlines = County.objects.filter(code__in=counties).exclude(outline="").values_list("code", "outline")
    shapes = [MapShape(code, str(counties[code]), outline, highlighted=True) for code, outline in outlines]
    context = {
        "partnership": partnership,
        "members_by_sector": [(Sector(s).label, ms) for s, ms in by_sector.items() if ms],
        "former_members": [m for m in all_memberships if m.left_on is not None],
        "listed_member_count": len(current),
        "map_shapes": shapes,
        "map_viewbox": viewbox_around(s.outline for s in shapes),
        "breadcrumbs": [(_("Partnerships"), reverse("partnerships:partnership_list")), (partnership.name, "")],
    }
    return render(request, "partnerships/partnership_detail.html", context)
