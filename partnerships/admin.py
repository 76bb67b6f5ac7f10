"""Staff admin of partnerships: members, agreements with their signatories, evaluations, and
the list of deleted partnerships that can be restored with their relations.

A partnership belongs to its home voivodeship; everything on its page follows it
(``members.scope``).
"""

import io
import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core import jobs
from core.admin import (
    CitationInline,
    FoldedSearchMixin,
    JudgementInline,
    ListSpeedMixin,
    MyRegionFilter,
    PolishMessagesMixin,
    RegistryAdmin,
    RegistryInlineMixin,
    ScopedAdminMixin,
    VerificationFilter,
    related_filter,
    year_filter,
)
from core.forms import PartialDateField, PartialDateFormMixin
from core.models import Job
from core.tabular import MAX_FILE_BYTES
from members.scope import can_change, is_unrestricted, may_change_some, region_of
from territory.admin import CountyFilter, VoivodeshipFilter
from territory.models import County

from . import dumps, imports, tasks
from .certificates import (
    CertificateError,
    issue_membership_certificates,
    issue_partnership_certificate,
    reissue,
    render_batch_pdf,
    revoke,
    set_verification_published,
)
from .history import RestoreError, deleted_partnerships, restore_partnership
from .import_template import template_workbook
from .models import (
    Agreement,
    Certificate,
    CertificateKind,
    Evaluation,
    ImportRun,
    Membership,
    Partnership,
    Signatory,
    UnnamedMembers,
)
from .resources import export_file


class HomeVoivodeshipFilter(VoivodeshipFilter):
    title = _("home voivodeship")


class AreaCountyFilter(CountyFilter):
    """Partnerships working in a powiat, directly or in one of its communes: the powiats where
    partnerships work, of one voivodeship (as CountyFilter offers them)."""

    title = _("county of the area")

    def counties_with_records(self, model_admin, voivodeship: str):
        # Each powiat of the voivodeship probed through the link tables' indexes, rather than
        # every partnership's area counted across the country (23 ms at national scale, paid
        # by the first list after each change).
        in_county = Partnership.area_counties.through.objects.filter(county_id=OuterRef("code"))
        in_commune = Partnership.area_communes.through.objects.filter(commune__county_id=OuterRef("code"))
        return County.objects.filter(voivodeship_id=voivodeship).filter(Exists(in_county) | Exists(in_commune))

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 4:
            return queryset.working_in(value)
        # Not a powiat's code: nothing works there.
        return queryset.none() if value else queryset


class MembersListedFilter(admin.SimpleListFilter):
    """Partnerships that declare more members than are listed by name (the admin home's worklist)."""

    title = _("members listed")
    parameter_name = "czlonkowie"
    MISSING = "brakuje"

    def lookups(self, request, model_admin):
        return [(self.MISSING, _("fewer listed than declared"))]

    def queryset(self, request, queryset):
        return queryset.fewer_listed_than_declared() if self.value() == self.MISSING else queryset


class ContactFilter(admin.SimpleListFilter):
    """Partnerships with no leader among the members listed and no website."""

    title = _("contact")
    parameter_name = "kontakt"
    NONE = "brak"

    def lookups(self, request, model_admin):
        return [(self.NONE, _("no leader and no website"))]

    def queryset(self, request, queryset):
        return queryset.without_contact() if self.value() == self.NONE else queryset


class PartnershipForm(PartialDateFormMixin, forms.ModelForm):
    # The founding date as the source gives it: "2012", "03.2012" or "15.03.2012".
    founded = PartialDateField(label=capfirst(_("founded on")), required=False)
    status_stated = PartialDateField(label=capfirst(_("status stated on")), required=False)
    partial_dates = {
        "founded": ("founded_on", "founded_precision"),
        "status_stated": ("status_stated_on", "status_stated_precision"),
    }

    class Meta:
        model = Partnership
        # The admin's fieldsets decide the fields; the founding date is entered through ``founded``.
        fields = ["name"]


class UnnamedMembersInline(RegistryInlineMixin, admin.TabularInline):
    model = UnnamedMembers
    fields = ["order", "kind", "sector", "description", "count_kind", "count"]


class MembershipInline(RegistryInlineMixin, admin.TabularInline):
    model = Membership
    fields = ["institution", "role", "joined_on", "left_on", "represented_by", "notes"]
    autocomplete_fields = ["institution", "represented_by"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}


class AgreementInline(RegistryInlineMixin, admin.TabularInline):
    # Signatories are edited on the agreement's own page: inlines do not nest.
    model = Agreement
    fields = ["kind", "title", "signed_on", "signed_at", "document"]
    autocomplete_fields = ["signed_at"]
    show_change_link = True


class EvaluationInline(RegistryInlineMixin, admin.StackedInline):
    model = Evaluation
    fields = [("date", "kind"), "author", "summary", "document"]
    autocomplete_fields = ["author"]


class SignatoryInline(RegistryInlineMixin, admin.TabularInline):
    model = Signatory
    fields = ["order", "person", "institution", "function"]
    autocomplete_fields = ["person", "institution"]


@admin.register(Partnership)
class PartnershipAdmin(RegistryAdmin):
    form = PartnershipForm
    list_display = [
        "name",
        "status",
        "home_voivodeship",
        "founded",
        "members",
        "last_verified_on",
    ]
    list_filter = [
        MyRegionFilter,
        HomeVoivodeshipFilter,
        AreaCountyFilter,
        "status",
        "stage",
        year_filter("founded_on", title=_("founding year")),
        related_filter("thematic_areas", title=_("thematic area")),
        related_filter("target_groups", title=_("target group")),
        "last_verified_on",
        VerificationFilter,
        MembersListedFilter,
        ContactFilter,
    ]
    list_select_related = ["home_voivodeship"]
    # Names, goals and the members' names through the folded keys (FoldedSearchMixin).
    search_fields = ["slug__exact"]
    ordering = ["name", "pk"]
    autocomplete_fields = ["area_counties", "area_communes", "project", "events"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [
        MembershipInline,
        AgreementInline,
        EvaluationInline,
        UnnamedMembersInline,
        CitationInline,
        JudgementInline,
    ]
    actions = ["mark_verified", "export_csv", "export_xlsx", "issue_certificates"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    ("status", "stage"),
                    ("status_stated", "status_stated_by"),
                    ("founded", "founding_kind"),
                ]
            },
        ),
        (_("Where"), {"fields": ["home_voivodeship", "area_counties", "area_communes"]}),
        (
            _("What for"),
            {"fields": ["goal", "description", "target_groups", "thematic_areas", "principles"]},
        ),
        (None, {"fields": ["project", "events", "website", "logo", "declared_member_count"]}),
        (_("Record"), {"fields": ["last_verified_on", "created_at", "updated_at"]}),
    ]

    @admin.action(description=_("Export selected rows to CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet):
        # The import's format (partnerships.resources), so that the file imports back unchanged.
        return spreadsheet_response(queryset, "csv")

    @admin.action(description=_("Export selected rows to XLSX"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet):
        return spreadsheet_response(queryset, "xlsx")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Short fixed vocabularies: checkboxes show them all at once.
        if db_field.name in {"target_groups", "thematic_areas", "principles"}:
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        region = region_of(request.user)
        if region and not is_unrestricted(request.user):
            initial.setdefault("home_voivodeship", region)
        return initial

    @admin.action(description=_("Issue certificates…"))
    def issue_certificates(self, request: HttpRequest, queryset: QuerySet):
        return issue_certificates_view(request, queryset)

    @admin.display(description=_("founded"), ordering="founded_on")
    def founded(self, obj: Partnership) -> str:
        return obj.founded_display

    @admin.display(description=_("members listed / declared"), ordering="listed_member_count")
    def members(self, obj: Partnership) -> str:
        if obj.declared_member_count is None:
            return str(obj.listed_member_count)
        return f"{obj.listed_member_count} / {obj.declared_member_count}"

    # Deleted partnerships, restored with what was deleted with them.

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name=f"{prefix}_deleted"),
            path(
                "deleted/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{prefix}_restore",
            ),
            path("publish-dumps/", self.admin_site.admin_view(self.publish_dumps_view), name=f"{prefix}_publish_dumps"),
            path(
                "<int:pk>/certificates/issue/",
                self.admin_site.admin_view(self.issue_certificates_page),
                name=f"{prefix}_issue_certificates",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {**(extra_context or {}), "may_publish_dumps": request.user.has_perm("core.publish_dumps")}
        return super().changelist_view(request, extra_context)

    def publish_dumps_view(self, request: HttpRequest):
        """The page "Publish the open data dumps": what it does, and a button that hands it to the worker
        (``partnerships.tasks.publish_dumps``); the job already waiting or running when there
        is one, never a second."""
        if not request.user.has_perm("core.publish_dumps"):
            raise PermissionDenied
        if request.method == "POST":
            job, started = tasks.start_dumps(request.user, settings.OPEN_DATA_DUMPS_KEEP)
            if started:
                messages.info(
                    request, _("The work was handed to the background worker; this page shows how far it is.")
                )
            else:
                messages.warning(request, _("The dumps are already being published; this is that job."))
            return HttpResponseRedirect(reverse("admin:core_job_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish the open data dumps"),
            "opts": self.opts,
            "unfinished": Job.objects.filter(
                kind=Job.Kind.DUMPS, state__in=[Job.State.QUEUED, Job.State.RUNNING]
            ).first(),
            "latest": dumps.published()[:1],
            "keep": settings.OPEN_DATA_DUMPS_KEEP,
        }
        return TemplateResponse(request, "admin/partnerships/partnership/publish_dumps.html", context)

    def issue_certificates_page(self, request: HttpRequest, pk: int):
        """Issuing from the partnership's own page: the action's form for this one partnership."""
        queryset = Partnership.objects.filter(pk=pk)
        partnership = queryset.first()
        if partnership is None or not self.has_change_permission(request, partnership):
            raise PermissionDenied
        response = issue_certificates_view(request, queryset)
        return response or HttpResponseRedirect(reverse("admin:partnerships_partnership_change", args=[pk]))

    def deleted_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(deleted_partnerships(), 50).get_page(request.GET.get("p"))
        may_add = self.has_add_permission(request)
        # The home voivodeship alone decides; ``record.instance`` would cost a query per row.
        rows = [
            {
                "record": record,
                "can_restore": may_add
                and can_change(request.user, Partnership(home_voivodeship_id=record.home_voivodeship_id)),
            }
            for record in page
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleted partnerships"),
            "opts": self.opts,
            "page": page,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/partnerships/partnership/deleted.html", context)

    def restore_view(self, request: HttpRequest, history_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            result = restore_partnership(history_id, request.user)
        except RestoreError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:partnerships_partnership_deleted"))
        partnership = result.partnership
        self.log_addition(request, partnership, [{"added": {}}])
        self.message_user(
            request,
            _(
                "The partnership “%(name)s” was restored with %(memberships)d memberships, "
                "%(agreements)d agreements and %(evaluations)d evaluation entries."
            )
            % {
                "name": partnership.name,
                "memberships": result.memberships,
                "agreements": result.agreements,
                "evaluations": result.evaluations,
            },
            messages.SUCCESS,
        )
        if result.skipped:
            self.message_user(
                request,
                ngettext(
                    "Not restored, because something it needs no longer exists: %(items)s.",
                    "Not restored, because something they need no longer exists: %(items)s.",
                    len(result.skipped),
                )
                % {"items": ", ".join(result.skipped)},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:partnerships_partnership_change", args=[partnership.pk]))


def spreadsheet_response(queryset: QuerySet, file_format: str) -> HttpResponse:
    """The partnerships with their members, as the import reads them (one row per member)."""
    content_types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(content_type=content_types[file_format])
    if file_format == "csv":
        stream = io.StringIO()
        export_file(stream, "csv", partnerships=queryset)
        response.write(stream.getvalue().encode("utf-8"))
    else:
        export_file(response, "xlsx", partnerships=queryset)
    name = f"partnerstwa-{timezone.localdate().isoformat()}.{file_format}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@admin.register(Agreement)
class AgreementAdmin(RegistryAdmin):
    region_path = "partnership__home_voivodeship"
    list_display = ["title", "kind", "partnership", "signed_on", "signed_at"]
    list_filter = [MyRegionFilter, HomeVoivodeshipFilter, "kind", year_filter("signed_on")]
    list_select_related = ["partnership", "signed_at"]
    # Searched by its folded key alone (the title and the partnership's name): no column.
    autocomplete_fields = ["partnership", "signed_at"]
    inlines = [SignatoryInline]
    csv_fields = ("title", "kind", "partnership", "signed_on", "signed_at", "signatory_names")

    def get_csv_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("signatories__person", "signatories__institution")

    @admin.display(description=_("signatories"))
    def signatory_names(self, obj: Agreement) -> str:
        return "; ".join(str(signatory) for signatory in obj.signatories.all())


# Certificates: issued, revoked and reissued only through the service in certificates.py,
# which numbers them, snapshots what they certify and enforces the regional scope.


class CertificateIssueForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Certificates to issue"),
        choices=[
            (CertificateKind.PARTNERSHIP, _("the partnership's certificate")),
            (CertificateKind.MEMBERSHIP, _("a membership certificate for every current member")),
        ],
        initial=CertificateKind.PARTNERSHIP,
        widget=forms.RadioSelect,
    )
    signatory_name = forms.CharField(label=_("Signatory"), max_length=200)
    signatory_function = forms.CharField(label=_("Function of the signatory"), max_length=200, required=False)
    issued_on = forms.DateField(label=_("Date of issue"), initial=timezone.localdate, widget=AdminDateWidget)


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        help_text=_("Shown on the certificate's public verification page."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _action_page(request, queryset, form, *, title: str, action: str, objects_label: str) -> TemplateResponse:
    """The intermediate page of an admin action that needs a form before it acts."""
    context = {
        **admin.site.each_context(request),
        "title": title,
        "form": form,
        "objects": list(queryset),
        "objects_label": objects_label,
        "action": action,
        "opts": queryset.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "media": form.media,
    }
    return TemplateResponse(request, "admin/partnerships/certificate_action.html", context)


def _report(request, done: list[str], refused: list[str]) -> None:
    if done:
        messages.success(request, " ".join(done))
    for problem in refused:
        messages.error(request, problem)


def _certificates_url(certificates) -> str:
    ids = ",".join(str(c.pk) for c in certificates)
    return reverse("admin:partnerships_certificate_changelist") + f"?id__in={ids}"


def issue_certificates_view(request, queryset):
    """Issue the chosen kind of certificates for each partnership of ``queryset``."""
    form = CertificateIssueForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return _action_page(
            request,
            queryset,
            form,
            title=_("Issue certificates"),
            action="issue_certificates",
            objects_label=_("Partnerships"),
        )
    data, issued, refused = form.cleaned_data, [], []
    expected = (
        queryset.count()
        if data["kind"] == CertificateKind.PARTNERSHIP
        else Membership.objects.current().filter(partnership__in=queryset).count()
    )
    if expected > settings.CERTIFICATES_INLINE_LIMIT:
        return _start_job(
            request,
            tasks.print_certificates,
            kind=Job.Kind.ISSUE_AND_PRINT,
            title=ngettext(
                "Issuing and printing certificates of %(count)d partnership",
                "Issuing and printing certificates of %(count)d partnerships",
                len(queryset),
            )
            % {"count": len(queryset)},
            params={
                "partnerships": [partnership.pk for partnership in queryset],
                "kind": data["kind"],
                "signatory_name": data["signatory_name"],
                "signatory_function": data["signatory_function"],
                "issued_on": data["issued_on"].isoformat(),
            },
            total=expected,
        )
    for partnership in queryset:
        try:
            if data["kind"] == CertificateKind.PARTNERSHIP:
                new = [
                    issue_partnership_certificate(
                        partnership, request.user, data["signatory_name"], data["signatory_function"], data["issued_on"]
                    )
                ]
            else:
                new = issue_membership_certificates(
                    partnership, request.user, data["signatory_name"], data["signatory_function"], data["issued_on"]
                )
        except (CertificateError, PermissionDenied) as error:
            refused.append(f"{partnership}: {error}")
        else:
            issued.extend(new)
    done = (
        [
            ngettext("%(count)d certificate issued.", "%(count)d certificates issued.", len(issued))
            % {"count": len(issued)}
        ]
        if issued
        else []
    )
    _report(request, done, refused)
    return HttpResponseRedirect(_certificates_url(issued)) if issued else None


def _start_job(request, task, *, kind: str, title: str, params: dict, total: int = 0) -> HttpResponseRedirect:
    """Hand the work to the background worker and show its job: the page follows its progress."""
    job = jobs.start(
        task, kind=kind, title=title, user=request.user, region=region_of(request.user), params=params, total=total
    )
    messages.info(request, _("The work was handed to the background worker; this page shows how far it is."))
    return HttpResponseRedirect(reverse("admin:core_job_change", args=[job.pk]))


def _start_import(request, run: ImportRun, decisions: dict, total: int) -> HttpResponseRedirect:
    """Hand a previewed import's writing to the background worker (a large file's)."""
    return _start_job(
        request,
        tasks.import_spreadsheet,
        kind=Job.Kind.IMPORT,
        title=_("Import of %(name)s") % {"name": run.file_name},
        params={"run": run.pk, "decisions": decisions},
        total=total,
    )


@admin.register(Certificate)
class CertificateAdmin(PolishMessagesMixin, ScopedAdminMixin, FoldedSearchMixin, ListSpeedMixin, SimpleHistoryAdmin):
    """Certificates are never edited nor deleted here: they are issued, revoked or reissued by the
    actions, and everything else about them is fixed at issue (their snapshot)."""

    list_display = ["number", "kind", "partnership", "institution", "issued_on", "status", "verification_count"]
    list_filter = [MyRegionFilter, "status", "kind", year_filter("issued_on", title=_("year of issue"))]
    list_select_related = ["partnership", "institution"]
    search_fields = ["number", "signatory_name"]
    search_related = ("partnership", "institution")
    ordering = ["-issued_on", "-number"]
    actions = [
        "download_pdf",
        "revoke_certificates",
        "reissue_certificates",
        "publish_verifications",
        "unpublish_verifications",
    ]
    readonly_fields = [
        "number",
        "kind",
        "partnership",
        "institution",
        "issued_on",
        "issuing_centre",
        "signatory_name",
        "signatory_function",
        "status",
        "revoked_on",
        "revocation_reason",
        "superseded_by",
        "verification_link",
        "verification_published",
        "verification_count",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The change form is a read-only view; the actions check the scope themselves.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        ids = request.GET.get("id__in", "")
        if ids and all(part.isdigit() for part in ids.split(",")):
            queryset = queryset.filter(pk__in=ids.split(","))
        return queryset

    def lookup_allowed(self, lookup: str, value: str, request=None) -> bool:
        return lookup == "id__in" or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("public verification page"))
    def verification_link(self, obj: Certificate) -> str:
        url = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a> · <a href="{}pdf/">PDF</a>', url, url, url)

    @admin.action(description=_("Download the selected certificates as one PDF"))
    def download_pdf(self, request: HttpRequest, queryset: QuerySet):
        certificates = list(queryset.select_related("partnership").order_by("number"))
        if len(certificates) > settings.CERTIFICATES_INLINE_LIMIT:
            return _start_job(
                request,
                tasks.print_certificates,
                kind=Job.Kind.PRINT,
                title=ngettext("Printing %(count)d certificate", "Printing %(count)d certificates", len(certificates))
                % {"count": len(certificates)},
                params={"certificates": [certificate.pk for certificate in certificates]},
                total=len(certificates),
            )
        response = HttpResponse(render_batch_pdf(certificates), content_type="application/pdf")
        name = certificates[0].number.replace("/", "-") if len(certificates) == 1 else "certyfikaty"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.pdf")
        return response

    @admin.action(description=_("Revoke the selected certificates…"))
    def revoke_certificates(self, request: HttpRequest, queryset: QuerySet):
        form = CertificateRevokeForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return _action_page(
                request,
                queryset,
                form,
                title=_("Revoke certificates"),
                action="revoke_certificates",
                objects_label=_("Certificates"),
            )
        done, refused = [], []
        for certificate in queryset.select_related("partnership"):
            try:
                revoke(certificate, request.user, form.cleaned_data["reason"])
                done.append(certificate.number)
            except (CertificateError, PermissionDenied) as error:
                refused.append(f"{certificate.number}: {error}")
        if done:
            done = [_("Revoked: %(numbers)s.") % {"numbers": ", ".join(done)}]
        _report(request, done, refused)
        return None

    @admin.action(description=_("The holder published the verification address: link it from the public page"))
    def publish_verifications(self, request: HttpRequest, queryset: QuerySet):
        self._set_verification_published(request, queryset, True)

    @admin.action(description=_("Stop linking the verification from the public page"))
    def unpublish_verifications(self, request: HttpRequest, queryset: QuerySet):
        self._set_verification_published(request, queryset, False)

    def _set_verification_published(self, request: HttpRequest, queryset: QuerySet, published: bool) -> None:
        done, refused = [], []
        for certificate in queryset.select_related("partnership"):
            try:
                set_verification_published(certificate, request.user, published)
                done.append(certificate.number)
            except PermissionDenied as error:
                refused.append(f"{certificate.number}: {error}")
        if done:
            done = [_("Changed: %(numbers)s.") % {"numbers": ", ".join(done)}]
        _report(request, done, refused)

    @admin.action(description=_("Reissue the selected certificates (the old ones become superseded)"))
    def reissue_certificates(self, request: HttpRequest, queryset: QuerySet):
        new, refused = [], []
        for certificate in queryset.select_related("partnership"):
            try:
                new.append(reissue(certificate, request.user))
            except (CertificateError, PermissionDenied) as error:
                refused.append(f"{certificate.number}: {error}")
        done = [_("Reissued as: %(numbers)s.") % {"numbers": ", ".join(c.number for c in new)}] if new else []
        _report(request, done, refused)
        return HttpResponseRedirect(_certificates_url(new)) if new else None


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        help_text=_("At most 10 MB and 20,000 rows; start from the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB; split it into smaller files.")
                % {"limit": MAX_FILE_BYTES >> 20}
            )
        return file


@admin.register(ImportRun)
class ImportRunAdmin(PolishMessagesMixin, admin.ModelAdmin):
    """Spreadsheet imports: upload → preview of every row → confirm; an import's page undoes it.

    Every staff member sees the log; importing needs the model's permission and a region (the
    import checks each row against it), undoing the region the import was made in."""

    list_display = ["created_at", "file_name", "user", "voivodeship", "state", "counts_display"]
    list_filter = ["state", "voivodeship"]
    readonly_fields = ["file_name", "user", "voivodeship", "state", "counts_display", "created_at", "updated_at"]
    fields = readonly_fields
    change_form_template = "admin/partnerships/importrun/change_form.html"
    change_list_template = "admin/partnerships/importrun/change_list.html"

    @admin.display(description=_("counts"))
    def counts_display(self, obj: ImportRun) -> str:
        counts = obj.counts or {}
        return _("new: %(new)d, changed: %(changed)d, unchanged: %(unchanged)d, errors: %(error)d") % {
            key: counts.get(key, 0) for key in ("new", "changed", "unchanged", "error")
        }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and may_change_some(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # an import is changed only by undoing it

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # it is the record of what was written

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("template/", self.admin_site.admin_view(self.template_view), name=f"{prefix}_template"),
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name=f"{prefix}_preview"),
            path("<int:pk>/undo/", self.admin_site.admin_view(self.undo_view), name=f"{prefix}_undo"),
            *super().get_urls(),
        ]

    def template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = content_disposition_header(True, "wzor-importu-rejestru.xlsx")
        return response

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            run = ImportRun(file_name=upload.name[:200], user=request.user, voivodeship_id=region_of(request.user))
            run.file.save(upload.name, upload, save=False)
            run.save()
            upload.seek(0)
            if imports.is_large(run.file_name, upload.read()):
                # Too many rows to check within a request: the worker previews it, and its job's
                # page leads to the preview when it is done.
                return _start_job(
                    request,
                    tasks.preview_import,
                    kind=Job.Kind.IMPORT_PREVIEW,
                    title=_("Preview of the import of %(name)s") % {"name": run.file_name},
                    params={"run": run.pk},
                )
            return HttpResponseRedirect(reverse("admin:partnerships_importrun_preview", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import from a spreadsheet"),
            "opts": self.opts,
            "form": form,
            "template_url": reverse("admin:partnerships_importrun_template"),
        }
        return TemplateResponse(request, "admin/partnerships/importrun/upload.html", context)

    def preview_view(self, request: HttpRequest, pk: int):
        run = ImportRun.objects.filter(pk=pk, state=ImportRun.State.PREVIEWED).first()
        if run is None or run.user_id != request.user.pk or not self.has_add_permission(request):
            raise PermissionDenied
        # A large file already handed to the worker: its job's page, not a second job.
        job = Job.objects.filter(kind=Job.Kind.IMPORT, params__run=run.pk).exclude(state=Job.State.FAILED).first()
        if job is not None:
            return HttpResponseRedirect(reverse("admin:core_job_change", args=[job.pk]))
        # A large file is previewed by the worker: its job's page until it is done, then what it found.
        previewing = Job.objects.filter(kind=Job.Kind.IMPORT_PREVIEW, params__run=run.pk).order_by("-pk").first()
        if previewing is not None:
            if previewing.state != Job.State.DONE or not previewing.result:
                return HttpResponseRedirect(reverse("admin:core_job_change", args=[previewing.pk]))
            return self.stored_preview_view(request, run, previewing)
        with run.file.open("rb") as stream:
            data = stream.read()
        decisions = {
            key.removeprefix("similar-"): value
            for key, value in request.POST.items()
            if key.startswith("similar-") and value in {imports.SAME, imports.AS_NEW}
        }
        result = imports.preview(run.file_name, data, request.user, decisions)
        if request.method == "POST" and "confirm" in request.POST and len(result.rows) > settings.IMPORT_INLINE_ROWS:
            try:
                imports.check_can_apply(result, decisions)
            except imports.ImportRefused as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                return _start_import(request, run, decisions, total=len(result.rows))
        elif request.method == "POST" and "confirm" in request.POST:
            try:
                imports.apply(result, run, request.user, decisions)
            except imports.ImportRefused as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("The file was imported."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:partnerships_importrun_change", args=[run.pk]))
        shown = request.GET.get("state", "")
        rows = [row for row in result.rows if not shown or row.state == shown]
        page = Paginator(rows, 500).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview of the import"),
            "opts": self.opts,
            "run": run,
            "result": result,
            "counts": result.counts(),
            "page": page,
            "shown": shown,
            "decisions": decisions,
            "states": [("", _("all rows")), *imports.STATE_LABELS.items()],
        }
        return TemplateResponse(request, "admin/partnerships/importrun/preview.html", context)

    def stored_preview_view(self, request: HttpRequest, run: ImportRun, previewing: Job):
        """The preview the worker made of a large file (``imports.summary``); confirming hands the
        writing to the worker too, which checks the file again as it writes."""
        with previewing.result.open("rb") as stream:
            stored = imports.shown_summary(json.load(stream))
        decisions = {
            key.removeprefix("similar-"): value
            for key, value in request.POST.items()
            if key.startswith("similar-") and value in {imports.SAME, imports.AS_NEW}
        }
        if request.method == "POST" and "confirm" in request.POST:
            if stored["has_errors"]:
                self.message_user(request, _("The file has errors; nothing was written."), messages.ERROR)
            elif imports.stored_undecided(stored, decisions):
                self.message_user(request, _("Confirm or reject each match by a similar name first."), messages.ERROR)
            else:
                return _start_import(request, run, decisions, total=len(stored["rows"]))
        shown = request.GET.get("state", "")
        rows = [row for row in stored["rows"] if not shown or row["state"] == shown]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview of the import"),
            "opts": self.opts,
            "run": run,
            "result": stored,
            "counts": stored["counts"],
            "page": Paginator(rows, 500).get_page(request.GET.get("p")),
            "shown": shown,
            "decisions": decisions,
            "states": [("", _("all rows")), *imports.STATE_LABELS.items()],
            "previewing": previewing,
        }
        return TemplateResponse(request, "admin/partnerships/importrun/preview.html", context)

    def undo_view(self, request: HttpRequest, pk: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = ImportRun.objects.filter(pk=pk).first()
        if run is None or not self.has_add_permission(request):
            raise PermissionDenied
        try:
            imports.undo(run, request.user)
        except imports.ImportRefused as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, _("The import was undone."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:partnerships_importrun_change", args=[pk]))

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            run = ImportRun.objects.filter(pk=object_id).first()
            extra_context["may_undo"] = bool(
                run
                and run.state == ImportRun.State.DONE
                and self.has_add_permission(request)
                and (is_unrestricted(request.user) or region_of(request.user) == run.voivodeship_id)
            )
        return super().changeform_view(request, object_id, form_url, extra_context)
