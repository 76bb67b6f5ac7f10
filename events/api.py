"""The API's funding projects and events: the event list's FilterSet and the one definition of
"public" of each (``objects.public()``). People appear as the event's page shows them: name,
function, role and topic, held in an official capacity; their contact data is never read."""

from django.db.models import Prefetch
from rest_framework import serializers

from core.api_viewsets import PageUrlField, PublicReadOnlyViewSet, SourceSerializer
from members.models import Person

from .filters import EventFilterSet
from .models import Event, Project, Speaker

PERSON_PRIVATE = [f"person__{name}" for name in Person.PRIVATE_FIELDS]


class ProjectSerializer(serializers.ModelSerializer):
    operator = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = PageUrlField()
    sources = SourceSerializer(source="api_sources", many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "code",
            "programme",
            "priority",
            "priority_name",
            "measure",
            "sub_measure",
            "sub_measure_name",
            "fund",
            "operator",
            "start_year",
            "end_year",
            "website",
            "description",
            "url",
            "sources",
        ]


class SpeakerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.full_name")
    function = serializers.CharField(source="person.function")

    class Meta:
        model = Speaker
        fields = ["name", "function", "role", "topic"]


class EventSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune_id", allow_null=True, help_text="TERYT")
    organisers = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    people = SpeakerSerializer(source="speakers", many=True, read_only=True)
    url = PageUrlField()
    sources = SourceSerializer(source="api_sources", many=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "kind",
            "start_date",
            "end_date",
            "venue",
            "commune",
            "organisers",
            "participant_count",
            "participant_count_qualifier",
            "description",
            "project",
            "people",
            "url",
            "sources",
        ]


class ProjectViewSet(PublicReadOnlyViewSet):
    """Projekty (linie finansowania). / Funding projects."""

    # As /projekty/ lists them: every public project with an address.
    queryset = Project.objects.with_page().select_related("operator")
    serializer_class = ProjectSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    with_sources = True


class EventViewSet(PublicReadOnlyViewSet):
    """Wydarzenia: filtry jak na /wydarzenia/. / Events: the filters of /wydarzenia/."""

    queryset = (
        Event.objects.public()
        .select_related("project")
        .prefetch_related(
            "organisers",
            Prefetch("speakers", queryset=Speaker.objects.select_related("person").defer(*PERSON_PRIVATE)),
        )
    )
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    with_sources = True
