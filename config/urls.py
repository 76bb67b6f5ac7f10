from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language

from core.api_viewsets import api_not_found
from events import urls as events_urls
from members import urls as members_urls
from partnerships import views as partnership_views
from territory import views as territory_views

from . import views

admin.site.site_header = admin.site.site_title = "Rejestr Partnerstw Lokalnych"

# An institution's and an event's page show their partnerships, so the partnerships app builds
# them (it knows all three apps); their addresses stay in their own apps' namespaces.
institution_urls = [
    *members_urls.urlpatterns,
    path("<slug:slug>/", partnership_views.institution_detail, name="institution_detail"),
]
event_urls = [*events_urls.urlpatterns, path("<slug:slug>/", partnership_views.event_detail, name="event_detail")]
# A project's page lists its partnerships too.
project_urls = [
    path("", partnership_views.project_list, name="project_list"),
    path("<slug:slug>/", partnership_views.project_detail, name="project_detail"),
]

# The public pages in two languages: Polish at the addresses people have bookmarked, English
# under /en/ (LanguagePathMiddleware activates the language of the address).
public_patterns = [
    path("", views.home, name="home"),
    path("partnerstwa/", include("partnerships.urls")),
    path("certyfikaty/", include("partnerships.certificate_urls")),
    path("instytucje/", include((institution_urls, members_urls.app_name))),
    path("wydarzenia/", include((event_urls, events_urls.app_name))),
    path("projekty/", include((project_urls, "projects"))),
    path("zasady/", partnership_views.principle_list, name="principle_list"),
    # Corrections from the public: a form per record, never cached (core.corrections).
    path("poprawki/", include("core.urls")),
    path("powiaty/", views.county_list, name="county_list"),
    # Four digits or no match at all: a stray byte in the URL is a 404, never a database error.
    re_path(r"^powiaty/(?P<code>[0-9]{4})/$", views.county_detail, name="county_detail"),
    re_path(r"^gminy/(?P<code>[0-9]{6}[123])/$", views.commune_detail, name="commune_detail"),
    path("miejsca/", territory_views.place_suggestions, name="place_suggestions"),
    path("dane/", views.open_data, name="open_data"),
    re_path(r"^dane/(?P<name>[a-z]+)\.schema\.json$", views.open_data_schema, name="open_data_schema"),
    # A file of a dated full dump (partnerships.dumps): only the names a dump writes.
    re_path(
        r"^dane/zrzuty/(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})/(?P<name>[a-z]+\.(?:csv\.zip|json)|SHA256SUMS)$",
        views.open_data_dump,
        name="open_data_dump",
    ),
    path("statystyki/", partnership_views.statistics_page, name="statistics"),
    path("deklaracja-dostepnosci/", views.accessibility_statement, name="accessibility_statement"),
]

urlpatterns = [
    *i18n_patterns(*public_patterns, prefix_default_language=False),
    # The read-only REST API and its schema (config.api): one address per record for programs.
    path("api/v1/", include("config.api")),
    path("api/", include([re_path(r"^[\s\S]*$", api_not_found)])),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Pages link their icon (base.html); what asks /favicon.ico regardless finds it too.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True)),
    # An index of sections, each in pages of at most Sitemap.limit addresses: at national scale
    # one file of every address would be megabytes built on every request.
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
    # The old language switch's address: it still answers, with the page's address in the
    # chosen language (Django's set_language translates ``next``); the switch now links there.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # Uploaded files, served with headers that keep a hostile upload inert (config.views.media).
    re_path(r"^media/(?P<path>(?:logos|documents)/[A-Za-z0-9/_-]+\.[a-z]{3,4})$", views.media, name="media"),
    path("admin/", admin.site.urls),
]
