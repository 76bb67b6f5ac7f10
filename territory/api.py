"""The API's territorial units: voivodeships, powiats and gminas by TERYT code, with their
public pages. Reference data: the names and codes are GUS's (TERYT), as every answer's
metadata says. Inactive units (gone from the latest register) are listed too, marked so:
records still point at them."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import CodeCursorPagination
from core.api_viewsets import PublicReadOnlyViewSet, absolute

from .models import Commune, County, Voivodeship


class VoivodeshipSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Voivodeship
        fields = ["code", "name", "slug", "is_active", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, voivodeship: Voivodeship) -> str:
        # Its section of the county list: a voivodeship has no page of its own.
        return absolute(reverse("county_list") + f"#woj-{voivodeship.code}")


class CountySerializer(serializers.ModelSerializer):
    voivodeship = serializers.CharField(source="voivodeship_id", help_text="TERYT")
    url = serializers.SerializerMethodField()

    class Meta:
        model = County
        fields = ["code", "name", "slug", "kind", "voivodeship", "is_active", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, county: County) -> str:
        return absolute(reverse("county_detail", args=[county.code]))


class CommuneSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_id", help_text="TERYT")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Commune
        fields = ["code", "name", "slug", "kind", "county", "is_active", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, commune: Commune) -> str:
        return absolute(reverse("commune_detail", args=[commune.code]))


class VoivodeshipViewSet(PublicReadOnlyViewSet):
    """Województwa by their 2-digit TERYT code. / Voivodeships by their 2-digit TERYT code."""

    queryset = Voivodeship.objects.all()
    serializer_class = VoivodeshipSerializer
    pagination_class = CodeCursorPagination
    lookup_field = "code"
    lookup_value_regex = "[0-9]{2}"


class CountyViewSet(PublicReadOnlyViewSet):
    """Powiaty by their 4-digit TERYT code. / Counties (powiats) by their 4-digit TERYT code."""

    queryset = County.objects.all()
    serializer_class = CountySerializer
    pagination_class = CodeCursorPagination
    lookup_field = "code"
    lookup_value_regex = "[0-9]{4}"


class CommuneViewSet(PublicReadOnlyViewSet):
    """Gminy by their 7-digit TERYT code. / Communes (gminas) by their 7-digit TERYT code."""

    queryset = Commune.objects.all()
    serializer_class = CommuneSerializer
    pagination_class = CodeCursorPagination
    lookup_field = "code"
    lookup_value_regex = "[0-9]{6}[123]"
