"""The read-only API's addresses, /api/v1/: each app's viewsets (its ``api.py``), the OpenAPI 3
schema and its docs page. Not under i18n_patterns: an API address has no language prefix; its
errors carry Polish and English alike (core.api)."""

from django.conf import settings
from django.urls import NoReverseMatch, path, re_path, reverse
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import routers
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api_viewsets import api_not_found
from events.api import EventViewSet, ProjectViewSet
from members.api import InstitutionViewSet
from partnerships.api import CertificateViewSet, PartnershipViewSet
from territory.api import CommuneViewSet, CountyViewSet, VoivodeshipViewSet

app_name = "api"


class RootView(routers.APIRootView):
    """/api/v1/: every list's address, on the public site (``SITE_URL``), never the request's host."""

    def get(self, request, *args, **kwargs):
        addresses = {}
        for prefix, url_name in self.api_root_dict.items():
            try:
                addresses[prefix] = settings.SITE_URL + reverse(f"{app_name}:{url_name}")
            except NoReverseMatch:  # an endpoint without a list (certificates: by code only)
                continue
        return Response(addresses)


router = DefaultRouter()
router.APIRootView = RootView
# Polish names, as the public pages' addresses and the filters have.
router.register("partnerstwa", PartnershipViewSet, basename="partnership")
router.register("instytucje", InstitutionViewSet, basename="institution")
router.register("wydarzenia", EventViewSet, basename="event")
router.register("projekty", ProjectViewSet, basename="project")
router.register("wojewodztwa", VoivodeshipViewSet, basename="voivodeship")
router.register("powiaty", CountyViewSet, basename="county")
router.register("gminy", CommuneViewSet, basename="commune")
router.register("certyfikaty", CertificateViewSet, basename="certificate")

urlpatterns = [
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file of its own: the page runs no inline
    # code, under the site's Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
    # Anything else under /api/: a JSON 404 rather than the site's HTML page.
    re_path(r"^[\s\S]*$", api_not_found),
]
