"""The API's partnerships, with their members, area, sources and the public status of their
certificates, and the verification of a certificate by its code.

The list takes the filters of /partnerstwa/ through the same FilterSet, and starts, as every
page, export and map does, from ``Partnership.objects.public()``. A fixed number of queries
per page, whatever the number of rows and members (tests/config/test_api.py counts them).
"""

from django.conf import settings
from django.db.models import F, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from core.api import PerAddressThrottle
from core.api_viewsets import PageUrlField, PublicReadOnlyViewSet, PublicViewSetMixin, SourceSerializer, absolute
from members.models import SECTOR_OF_KIND

from .filters import PartnershipFilterSet
from .models import Certificate, Membership, Partnership, UnnamedMembers


class MemberSerializer(serializers.ModelSerializer):
    """A named member: the institution (by its slug), its role and dates. The membership's
    notes and its representative's contact data stay in the admin."""

    institution = serializers.CharField(source="institution.slug")
    name = serializers.CharField(source="institution.name")
    kind = serializers.CharField(source="institution.kind")
    sector = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["institution", "name", "kind", "sector", "role", "joined_on", "left_on"]

    def get_sector(self, membership: Membership) -> str:
        return SECTOR_OF_KIND[membership.institution.kind]


class UnnamedMembersSerializer(serializers.ModelSerializer):
    """Members a source gives only by kind and number ("policja — 1"): no invented names."""

    class Meta:
        model = UnnamedMembers
        fields = ["kind", "sector", "description", "count_kind", "count"]


class PartnershipCertificateSerializer(serializers.ModelSerializer):
    """A certificate as the partnership's page lists it: number, kind, dates, status. Its
    verification address only where the holder published it (``verification_published``):
    the code proves that whoever verifies holds the paper."""

    institution = serializers.CharField(source="institution.slug", allow_null=True, default=None)
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["number", "kind", "status", "issued_on", "revoked_on", "institution", "verification_url"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_verification_url(self, certificate: Certificate) -> str | None:
        return certificate.public_url if certificate.verification_published else None


class PartnershipSerializer(serializers.ModelSerializer):
    home_voivodeship = serializers.CharField(source="home_voivodeship_id", help_text="TERYT")
    # Codes and slugs of the many-to-many terms, read for the whole page (attach_terms).
    area_counties = serializers.ListField(
        child=serializers.CharField(), source="api_area_counties", read_only=True, help_text="TERYT"
    )
    area_communes = serializers.ListField(
        child=serializers.CharField(), source="api_area_communes", read_only=True, help_text="TERYT"
    )
    target_groups = serializers.ListField(child=serializers.CharField(), source="api_target_groups", read_only=True)
    thematic_areas = serializers.ListField(child=serializers.CharField(), source="api_thematic_areas", read_only=True)
    principles = serializers.ListField(child=serializers.CharField(), source="api_principles", read_only=True)
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    members = serializers.SerializerMethodField()
    unnamed_members = UnnamedMembersSerializer(many=True, read_only=True)
    certificates = PartnershipCertificateSerializer(many=True, read_only=True)
    url = PageUrlField()
    sources = SourceSerializer(source="api_sources", many=True, read_only=True)

    class Meta:
        model = Partnership
        # A whitelist: a field added to the model stays out of the API until it is named here.
        fields = [
            "slug",
            "name",
            "status",
            "status_stated_on",
            "status_stated_precision",
            "status_stated_by",
            "stage",
            "founded_on",
            "founded_precision",
            "founding_kind",
            "home_voivodeship",
            "area_counties",
            "area_communes",
            "goal",
            "description",
            "target_groups",
            "thematic_areas",
            "principles",
            "project",
            "website",
            "declared_member_count",
            "listed_member_count",
            "members",
            "unnamed_members",
            "certificates",
            "last_verified_on",
            "url",
            "sources",
        ]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, partnership: Partnership) -> list[dict]:
        return partnership.api_members


# A partnership's many-to-many terms as the API writes them (attribute: relation, key).
TERMS = {
    "api_area_counties": ("area_counties", "code"),
    "api_area_communes": ("area_communes", "code"),
    "api_target_groups": ("target_groups", "slug"),
    "api_thematic_areas": ("thematic_areas", "slug"),
    "api_principles": ("principles", "slug"),
}


def attach_terms(partnerships: list[Partnership]) -> list[Partnership]:
    """Each partnership's terms (TERMS) as lists of keys, in each term's own order, one query a
    relation: prefetched, they built a queryset per partnership and relation, 500 on a page of
    100, and most of the page's time went to that."""
    ids = [partnership.pk for partnership in partnerships]
    for attribute, (name, key) in TERMS.items():
        field = Partnership._meta.get_field(name)
        reverse = field.related_query_name()
        keys: dict[int, list[str]] = {pk: [] for pk in ids}
        for partnership_id, value in field.related_model._default_manager.filter(**{f"{reverse}__in": ids}).values_list(
            reverse, key
        ):
            keys[partnership_id].append(value)
        for partnership in partnerships:
            setattr(partnership, attribute, keys[partnership.pk])
    return partnerships


def attach_members(partnerships: list[Partnership]) -> list[Partnership]:
    """Each partnership's members as ``api_members``, the entries MemberSerializer describes,
    read as values in one query: a page of 100 partnerships has some 1,500 members, and as
    model instances serialized field by field they took most of the page's time
    (docs/performance.md)."""
    by_partnership: dict[int, list[dict]] = {partnership.pk: [] for partnership in partnerships}
    rows = (
        Membership.objects.filter(partnership__in=list(by_partnership))
        .order_by(F("left_on").desc(nulls_first=True), "role", "institution__name", "pk")
        .values_list(
            "partnership_id",
            "institution__slug",
            "institution__name",
            "institution__kind",
            "role",
            "joined_on",
            "left_on",
        )
    )
    for partnership_id, slug, name, kind, role, joined_on, left_on in rows:
        by_partnership[partnership_id].append(
            {
                "institution": slug,
                "name": name,
                "kind": kind,
                "sector": SECTOR_OF_KIND[kind],
                "role": role,
                "joined_on": joined_on,
                "left_on": left_on,
            }
        )
    for partnership in partnerships:
        partnership.api_members = by_partnership[partnership.pk]
    return partnerships


class PartnershipViewSet(PublicReadOnlyViewSet):
    """Partnerstwa: filtry jak na /partnerstwa/. / Partnerships: the filters of /partnerstwa/."""

    queryset = (
        Partnership.objects.public()
        .select_related("project")
        .prefetch_related(
            "unnamed_members",
            Prefetch(
                "certificates",
                queryset=Certificate.objects.select_related("institution")
                .defer("snapshot")
                .order_by("-issued_on", "-number"),
            ),
        )
    )
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilterSet
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    with_sources = True

    def attach(self, records: list) -> list:
        return attach_terms(attach_members(super().attach(records)))


def certified(snapshot: dict) -> dict:
    """What a certificate certified, from its snapshot: the facts its verification page shows,
    named one by one (the snapshot's stored logo names are no one's business)."""

    def institution(facts: dict | None) -> dict | None:
        if not facts:
            return None
        keys = ("name", "short_name", "slug", "kind", "country", "role", "joined_on", "place")
        return {key: facts[key] for key in keys if key in facts}

    partnership = snapshot.get("partnership", {})
    area = snapshot.get("area", {})
    agreement = snapshot.get("founding_agreement") or None
    return {
        "partnership": {
            "name": partnership.get("name", ""),
            "slug": partnership.get("slug", ""),
            "founded_on": partnership.get("founded_on"),
            "founded_precision": partnership.get("founded_precision"),
            "home_voivodeship": (partnership.get("home_voivodeship") or {}).get("code"),
        },
        "area_counties": [c.get("code") for c in area.get("counties", [])],
        "area_communes": [c.get("code") for c in area.get("communes", [])],
        "members": [institution(m) for m in snapshot.get("members", [])],
        "institution": institution(snapshot.get("institution")),
        "founding_agreement": {"title": agreement.get("title", ""), "signed_on": agreement.get("signed_on")}
        if agreement
        else None,
        "issuing_centre": institution(snapshot.get("issuing_centre")),
    }


class CertificateVerificationSerializer(serializers.ModelSerializer):
    partnership = serializers.CharField(source="partnership.slug")
    superseded_by = serializers.SerializerMethodField()
    certified = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    url = PageUrlField()

    class Meta:
        model = Certificate
        fields = [
            "number",
            "kind",
            "status",
            "issued_on",
            "revoked_on",
            "revocation_reason",
            "superseded_by",
            "partnership",
            "signatory_name",
            "signatory_function",
            "certified",
            "pdf_url",
            "url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_superseded_by(self, certificate: Certificate) -> str | None:
        # As the verification page links it: whoever holds the old paper may see its successor.
        return certificate.superseded_by.public_url if certificate.superseded_by else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_certified(self, certificate: Certificate) -> dict:
        return certified(certificate.snapshot or {})

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, certificate: Certificate) -> str:
        return absolute(certificate.get_pdf_url())


class CertificateThrottle(PerAddressThrottle):
    """The verification page's budget (``CERTIFICATE_VERIFICATIONS_PER_MINUTE``) for the API's
    verification as well, counted apart from the rest of the API."""

    scope = "api-certificate"

    def get_rate(self) -> str:
        return f"{settings.CERTIFICATE_VERIFICATIONS_PER_MINUTE}/min"


class CertificateViewSet(PublicViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Weryfikacja certyfikatu po kodzie z papieru. / A certificate verified by the code printed on it."""

    queryset = Certificate.objects.select_related("partnership", "superseded_by")
    serializer_class = CertificateVerificationSerializer
    lookup_field = "verification_code"
    lookup_url_kwarg = "code"
    # What a code can look like (partnerships.views.CERTIFICATE_CODE); anything else is a 404.
    lookup_value_regex = "[A-Za-z0-9_-]{10,64}"
    throttle_classes = [PerAddressThrottle, CertificateThrottle]
    # Never a 304: a revocation must show at once, and each GET is a verification counted.
    conditional = False

    def get_object(self):
        # Codes are lower case; a code typed from paper in capitals still finds its certificate.
        self.kwargs[self.lookup_url_kwarg] = self.kwargs[self.lookup_url_kwarg].lower()
        return super().get_object()

    def retrieve(self, request, *args, **kwargs):
        certificate = self.get_object()
        # A person's or a program's GET is a verification; a link checker's HEAD is none.
        if request.method == "GET":
            Certificate.objects.filter(pk=certificate.pk).update(verification_count=F("verification_count") + 1)
        response = Response(self.get_serializer(certificate).data)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response
