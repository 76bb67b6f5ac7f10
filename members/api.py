"""The API's institutions: the public list's FilterSet and its one definition of "public"
(``Institution.objects.public()``). An institution's own public contact data (its e-mail,
telephone and address) is shown; no person's data ever is."""

from rest_framework import serializers

from core.api_viewsets import PageUrlField, PublicReadOnlyViewSet, SourceSerializer

from .filters import InstitutionFilterSet
from .models import Institution


class InstitutionSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(read_only=True)
    commune = serializers.CharField(source="commune_id", allow_null=True, help_text="TERYT")
    url = PageUrlField()
    sources = SourceSerializer(source="api_sources", many=True, read_only=True)

    class Meta:
        model = Institution
        # A whitelist: a field added to the model stays out of the API until it is named here.
        fields = [
            "slug",
            "name",
            "short_name",
            "kind",
            "sector",
            "nip",
            "regon",
            "krs",
            "commune",
            "country",
            "address",
            "website",
            "email",
            "phone",
            "description",
            "last_verified_on",
            "url",
            "sources",
        ]


class InstitutionViewSet(PublicReadOnlyViewSet):
    """Instytucje: filtry jak na /instytucje/. / Institutions: the filters of /instytucje/."""

    queryset = Institution.objects.public()
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilterSet
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    with_sources = True
