"""Provenance and public corrections, shared by every kind of record.

A fact shown by the registry rests on a source (a document, cited with the passage that
supports it) or on a judgement of the staff (stated with its reason); a reader can tell which.
Both attach to any record through contenttypes' generic relations, because sources cite
partnerships, institutions, events, projects, memberships and agreements alike, and this app
sits below all of them. A correction is what a reader says is wrong in a record; it waits for
the staff of the region that keeps the record.
"""

import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .grammar import Grammar


class DatePrecision(models.TextChoices):
    """How much of a date a source states: "od 2010 roku" is a year, not 1 January 2010."""

    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """A date as precisely as it is known: "2010", "październik 2014", "28 października 2014"."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


class Source(models.Model):
    """A document the registry's facts rest on: its title and date as the document gives them."""

    key = models.SlugField(
        _("key"), max_length=60, unique=True, help_text=_("A short, stable name used to refer to the source.")
    )
    title = models.CharField(
        _("title"), max_length=400, blank=True, help_text=_("As the document gives it; empty when it has none.")
    )
    description = models.CharField(
        _("description"),
        max_length=400,
        help_text=_("What the document is, in the registry's words (shown in brackets): “news item”, “web page”."),
    )
    publisher = models.CharField(
        _("publisher"), max_length=300, blank=True, help_text=_("Empty when the document does not say.")
    )
    published_on = models.DateField(_("date of publication"), null=True, blank=True)
    published_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    date_note = models.CharField(
        _("about the date"),
        max_length=300,
        blank=True,
        help_text=_("What the document says of its date when it gives none of publication."),
    )
    url = models.URLField(_("address"), blank=True, help_text=_("Only if the document is public at this address."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "source"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "source"),
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title or f"[{self.description}]"

    @property
    def published_display(self) -> str:
        return format_partial_date(self.published_on, self.published_precision)


class AttachedToRecord(models.Model):
    """A row about one record of any model, optionally about one of its fields."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("kind of record"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(
        _("field"),
        max_length=60,
        blank=True,
        help_text=_("The one fact it is about (“status”, “founded”, “members”); empty for the record as a whole."),
    )

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["content_type", "object_id"])]

    @property
    def region_id(self) -> str | None:
        """The region of the record it is about: who may change it (``settings.REGISTRY_SCOPE``)."""
        record = self.record if self.content_type_id and self.object_id else None
        return getattr(record, "region_id", None)


class Citation(AttachedToRecord):
    """A source cited for a record, or for one field of it, with the passage that supports it."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations", verbose_name=_("source"))
    quote = models.TextField(_("quote"), blank=True, help_text=_("The words of the source that support the fact."))
    page = models.CharField(_("page or place in the document"), max_length=60, blank=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "citation"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "citation"),
    )

    class Meta(AttachedToRecord.Meta):
        ordering = ["id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        indexes = [models.Index(fields=["content_type", "object_id"], name="citation_record")]

    def __str__(self) -> str:
        return f"{self.source} → {self.field or '*'}"


class Judgement(AttachedToRecord):
    """A fact that rests on the staff's judgement rather than on a source, with the reason."""

    statement = models.CharField(_("what was judged"), max_length=400)
    reason = models.TextField(_("reason"))
    made_by = models.CharField(_("made by"), max_length=200, help_text=_("Who made the judgement, e.g. a centre."))
    made_on = models.DateField(_("made on"), null=True, blank=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "staff judgement"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "staff judgement"),
    )

    class Meta(AttachedToRecord.Meta):
        ordering = ["id"]
        verbose_name = _("staff judgement")
        verbose_name_plural = _("staff judgements")
        indexes = [models.Index(fields=["content_type", "object_id"], name="judgement_record")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="judgement_has_reason", violation_error_message=_("Give the reason.")
            ),
        ]

    def __str__(self) -> str:
        return self.statement


class CorrectionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Correction.State.PENDING)

    def in_region(self, region: str | None):
        return self.filter(region=region) if region else self.none()

    def with_expired_email(self, today: datetime.date):
        """Corrections whose sender's e-mail is kept no longer: decided more than
        ``CORRECTION_EMAIL_RETENTION_DAYS`` ago, or left undecided twice as long."""
        from django.conf import settings

        days = settings.CORRECTION_EMAIL_RETENTION_DAYS
        decided_before = today - datetime.timedelta(days=days)
        received_before = today - datetime.timedelta(days=2 * days)
        return self.exclude(email="").filter(
            Q(decided_at__date__lt=decided_before) | Q(decided_at__isnull=True, created_at__date__lt=received_before)
        )


class Correction(AttachedToRecord):
    """What a reader says is wrong in a public record, waiting for the staff of its region.

    Nothing of it is published: it is read in the admin, where staff accept it (editing the
    record with the text at hand) or reject it with a reason. ``region`` is the record's home
    voivodeship when the correction came in: whose queue it is in.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    region = models.CharField(_("region"), max_length=2, blank=True, help_text=_("Code of the voivodeship."))
    record_label = models.CharField(_("record"), max_length=300)
    what_is_wrong = models.TextField(_("what is wrong"))
    what_is_right = models.TextField(_("what is right"))
    source = models.TextField(_("source given"), blank=True)
    email = models.EmailField(_("sender's e-mail"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    objects = CorrectionQuerySet.as_manager()

    # The sender's e-mail is personal data: staff see it, nobody else (docs/rodo.md).
    PRIVATE_FIELDS = ("email",)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "correction"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "correction"),
    )

    class Meta(AttachedToRecord.Meta):
        ordering = ["-created_at"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="correction_record"),
            models.Index(fields=["region", "state"], name="correction_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="pending") | ~Q(decision_reason="") | Q(state="accepted"),
                name="correction_rejection_has_reason",
                violation_error_message=_("A rejection states its reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_label}: {self.what_is_wrong[:60]}"


def job_result_upload_to(instance, filename: str) -> str:
    """An unguessable name of its own for every result, whatever the name it is downloaded as."""
    import uuid
    from pathlib import PurePosixPath

    return f"jobs/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user, region: str | None, unrestricted: bool):
        """The jobs ``user`` may see and download: all for an unrestricted user, else those
        started in the user's region (both from the rule ``settings.REGISTRY_SCOPE`` names)
        and those the user started (staff without a region print too)."""
        if unrestricted:
            return self
        mine = Q(created_by_id=user.pk)
        return self.filter(mine | Q(region=region) if region else mine)

    def stale(self, before: datetime.datetime):
        """Running jobs whose progress last moved before ``before``: their worker is gone."""
        return self.filter(state=Job.State.RUNNING, updated_at__lt=before)


class Job(models.Model):
    """A piece of long work done by the background worker (Django's tasks API), as staff follow it.

    ``core.jobs`` starts, runs, retries and takes over jobs; each app writes its own tasks and
    says what a job is to do in ``params``, and what part of it is done (so that a job run again
    after its worker stopped does nothing twice) in ``checkpoint``. The result, if any, is a
    file in the media storage, downloaded only by staff of the region the job was started in.
    """

    class Kind(models.TextChoices):
        ISSUE_AND_PRINT = "issue_and_print", _("issuing and printing certificates")
        PRINT = "print", _("printing certificates")
        IMPORT = "import", _("import from a spreadsheet")
        IMPORT_PREVIEW = "import_preview", _("preview of an import from a spreadsheet")
        DUMPS = "dumps", _("publishing the open data dumps")

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("done so far"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    error = models.TextField(_("why it failed"), blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("What the job has to report, one line each."))
    params = models.JSONField(_("parameters"), default=dict)
    checkpoint = models.JSONField(_("work done so far"), default=dict)
    result = models.FileField(_("result"), upload_to=job_result_upload_to, blank=True)
    result_name = models.CharField(_("name of the result file"), max_length=200, blank=True)
    result_url = models.CharField(_("address of what it made"), max_length=4000, blank=True)
    task_path = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("started by")
    )
    region = models.CharField(_("region"), max_length=2, blank=True, help_text=_("Code of the voivodeship."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Moves with every step of progress: a running job whose time stands still lost its worker.
    updated_at = models.DateTimeField(_("last progress at"), auto_now=True)

    objects = JobQuerySet.as_manager()

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "background job"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "background job"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["region", "-created_at"], name="job_region_created")]
        # Publishing the dumps is not a region's work: a permission of its own, which site
        # administrators get without being superusers (docs/admin.md).
        permissions = [("publish_dumps", _("Can publish the open data dumps"))]
        constraints = [
            # Two publications at once would write the same day's files over each other.
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind="dumps", state__in=["queued", "running"]),
                name="job_one_dumps_at_a_time",
                violation_error_message=_("The dumps are already being published."),
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")),
                name="job_done_at_most_total",
                violation_error_message=_("A job cannot have done more than its total."),
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(error=""),
                name="job_failure_has_reason",
                violation_error_message=_("A failed job says why it failed."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return 100 * self.done // self.total if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}
