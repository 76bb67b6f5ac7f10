"""The registry's admin site: Django's, with a home page that says whose region this is and what
in it needs doing, and pickers (autocomplete) that say what each choice is.

Here and not in an app because the home page's worklist combines the apps (institutions,
partnerships, certificates), and ``config`` is where they are wired together.
"""

from dataclasses import dataclass

from django.contrib.admin import AdminSite
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from members import scope


@dataclass
class WorkItem:
    label: str
    count: int
    url: str


class PickerView(AutocompleteJsonView):
    """Autocomplete results labelled as the model's ``picker_label`` says ("Ostrów Mazowiecka
    (miasto, powiat ostrowski, mazowieckie)"), with what the label needs joined in
    (``PICKER_RELATED``): one query per page of results."""

    def get_queryset(self):
        queryset = super().get_queryset()
        related = getattr(self.model_admin.model, "PICKER_RELATED", ())
        return queryset.select_related(*related) if related else queryset

    def get_paginator(self, *args, **kwargs):
        # Django's plain paginator over the queryset above: the changelists' two-step page read
        # (core.admin.ListSpeedMixin) would read the rows again without what the labels join in.
        return Paginator(*args, **kwargs)

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(obj, "picker_label", None)
        if label:
            result["text"] = str(label)
        return result


class RegistryAdminSite(AdminSite):
    site_header = site_title = "Rejestr Partnerstw Lokalnych"
    # No list of every model beside each page: it is built for every request (a fifth of a
    # changelist's time) and takes a laptop screen's room from the list; the breadcrumbs and
    # the home page lead to every list.
    enable_nav_sidebar = False

    def get_app_list(self, request: HttpRequest, app_label=None):
        # Built when a page shows it (the home page, an app's page), not for every page's
        # context, where Django puts it for the list of models beside the page (disabled above).
        return lazy(super().get_app_list, list)(request, app_label)

    def autocomplete_view(self, request: HttpRequest):
        return PickerView.as_view(admin_site=self)(request)

    def index(self, request: HttpRequest, extra_context=None):
        region = scope.region_of(request.user)
        extra_context = {
            **(extra_context or {}),
            "region_name": scope.region_name(region) if region else "",
            # Only the home page names the centre: read here, not for every admin page.
            "staff_profile": staff_profile(request.user),
            "worklist": worklist(request.user, region),
        }
        return super().index(request, extra_context)


def staff_profile(user):
    """The user's staff profile with its centre and region, or None; one query, kept on the user."""
    if not getattr(user, "is_authenticated", False):
        return None
    from members.models import StaffProfile

    if not hasattr(user, "_registry_staff_profile"):
        user._registry_staff_profile = (
            StaffProfile.objects.filter(user_id=user.pk).select_related("centre__commune__county__voivodeship").first()
        )
    return user._registry_staff_profile


def worklist(user, region: str | None) -> list[WorkItem]:
    """What in the user's region waits for them, each with the filtered list that shows it: one
    count query per line, whatever the number of records. Users without a region see all."""
    # Imported here: the admin modules register their models on this site when imported, so
    # this module cannot import them while the site itself is being built.
    from core.admin import VERIFICATION_PERIOD, MyRegionFilter, VerificationFilter
    from core.models import Correction
    from members.models import Institution
    from partnerships.admin import ContactFilter, MembersListedFilter
    from partnerships.models import Certificate, Partnership

    if not user.is_active or not user.is_staff:
        return []
    year = timezone.localdate().year
    scoped = {MyRegionFilter.parameter_name: MyRegionFilter.MINE} if region else {}

    def within(queryset):
        return queryset.in_region(region) if region else queryset

    def link(model, region_filter: bool = True, **params) -> str:
        opts = model._meta
        params = {**params, **scoped} if region_filter else params
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?" + urlencode(params)

    overdue = {VerificationFilter.parameter_name: VerificationFilter.OVERDUE}
    items = []
    if user.has_perm("members.view_institution"):
        items.append(
            WorkItem(
                _("Institutions not verified for 12 months"),
                within(Institution.objects.not_verified_within(VERIFICATION_PERIOD)).count(),
                link(Institution, **overdue),
            )
        )
    if user.has_perm("partnerships.view_partnership"):
        partnerships = within(Partnership.objects.all())
        items += [
            WorkItem(
                _("Partnerships not verified for 12 months"),
                partnerships.not_verified_within(VERIFICATION_PERIOD).count(),
                link(Partnership, **overdue),
            ),
            WorkItem(
                _("Partnerships declaring more members than are listed"),
                partnerships.fewer_listed_than_declared().count(),
                link(Partnership, **{MembersListedFilter.parameter_name: MembersListedFilter.MISSING}),
            ),
            WorkItem(
                _("Partnerships with no leader and no website"),
                partnerships.without_contact().count(),
                link(Partnership, **{ContactFilter.parameter_name: ContactFilter.NONE}),
            ),
        ]
    if user.has_perm("partnerships.view_certificate"):
        items.append(
            WorkItem(
                _("Certificates issued in %(year)d") % {"year": year},
                within(Certificate.objects.issued_in(year)).count(),
                link(Certificate, rok=str(year)),
            )
        )
    if user.has_perm("core.view_correction"):
        # The queue is scoped by itself (CorrectionAdmin): it has no "my region" filter to set.
        corrections = Correction.objects.pending()
        items.append(
            WorkItem(
                _("Corrections waiting for review"),
                (corrections.in_region(region) if region else corrections).count(),
                link(Correction, region_filter=False, state__exact=Correction.State.PENDING),
            )
        )
    return items
