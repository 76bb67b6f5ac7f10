from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from . import views
from .sitemaps import SITEMAPS

admin.site.site_header = admin.site.site_title = "Rejestr Partnerstw Lokalnych"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("partnerstwa/", include("partnerships.urls")),
    path("certyfikaty/", include("partnerships.certificate_urls")),
    path("instytucje/", include("members.urls")),
    path("wydarzenia/", include("events.urls")),
    path("powiaty/", views.county_list, name="county_list"),
    # Four digits or no match at all: a stray byte in the URL is a 404, never a database error.
    re_path(r"^powiaty/(?P<code>[0-9]{4})/$", views.county_detail, name="county_detail"),
    path("deklaracja-dostepnosci/", views.accessibility_statement, name="accessibility_statement"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
