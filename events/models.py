"""Funding lines, and the conferences, seminars, trainings and ceremonies where partnerships
are presented, promoted and signed."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.grammar import Grammar
from core.history import RegistryHistoricalRecords
from core.text import choice_label, search_key, slugify_pl
from members.models import Institution, Person
from members.uploads import document_upload_to, validate_pdf
from territory.models import Commune, RegionalRecord

from .querysets import EventQuerySet, ProjectQuerySet


class Project(RegionalRecord, models.Model):
    """A funding line: a project within an operational programme, e.g. PO KL, Priority VII,
    Measure 7.1, Sub-measure 7.1.3, co-financed by the ESF."""

    name = models.CharField(_("name"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, null=True, blank=True)
    code = models.CharField(_("project code"), max_length=60, blank=True)
    programme = models.CharField(_("programme"), max_length=200, blank=True, help_text=_("e.g. PO KL"))
    priority = models.CharField(_("priority"), max_length=20, blank=True, help_text=_("e.g. VII"))
    priority_name = models.CharField(_("name of the priority"), max_length=200, blank=True)
    measure = models.CharField(_("measure"), max_length=20, blank=True, help_text=_("e.g. 7.1"))
    sub_measure = models.CharField(_("sub-measure"), max_length=20, blank=True, help_text=_("e.g. 7.1.3"))
    sub_measure_name = models.CharField(_("name of the sub-measure"), max_length=300, blank=True)
    fund = models.CharField(_("fund"), max_length=100, blank=True, help_text=_("e.g. EFS"))
    operator = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("operating institution"),
    )
    start_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "project"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "project"),
    )
    history = RegistryHistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    REGION_PATH = "operator__commune__county__voivodeship"

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(start_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="project_years_in_order",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True) | Q(start_year__gte=1989, start_year__lte=2100),
                name="project_start_year_plausible",
                violation_error_message=_("The first year must be between 1989 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Every project gets a public address: its name as a slug, numbered when taken.
        if not self.slug:
            base = slugify_pl(self.name)[:100] or "projekt"
            self.slug, number = base, 2
            while Project.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                self.slug, number = f"{base}-{number}", number + 1
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.slug]) if self.slug else ""

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot be before the first year.")})

    @property
    def funding_line(self) -> str:
        """The line written out: "PO KL, Priorytet VII, Działanie 7.1, Poddziałanie 7.1.3, współfinansowany z EFS"."""
        parts = [self.programme] if self.programme else []
        if self.priority:
            parts.append(_("Priority %(number)s") % {"number": self.priority})
        if self.measure:
            parts.append(_("Measure %(number)s") % {"number": self.measure})
        if self.sub_measure:
            parts.append(_("Sub-measure %(number)s") % {"number": self.sub_measure})
        if self.fund:
            parts.append(_("co-financed by %(fund)s") % {"fund": self.fund})
        return ", ".join(parts)


class Event(RegionalRecord, models.Model):
    """A conference, seminar, training, meeting or signing ceremony."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("conference")
        SEMINAR = "seminar", _("seminar")
        TRAINING = "training", _("training")
        MEETING = "meeting", _("meeting")
        SIGNING = "signing", _("signing ceremony")
        OTHER = "other", _("other")

    class CountQualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        ABOUT = "about", _("about")
        OVER = "over", _("over")
        UNDER = "under", _("under")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(_("start date"), null=True, blank=True, help_text=_("Empty when not known."))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("For events of several days."))
    venue = models.CharField(_("venue"), max_length=300, blank=True, help_text=_("e.g. Ministry of Economy"))
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("commune")
    )
    organisers = models.ManyToManyField(
        Institution, blank=True, related_name="organised_events", verbose_name=_("organisers")
    )
    participant_count = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    participant_count_qualifier = models.CharField(
        _("the number is"),
        max_length=10,
        choices=CountQualifier.choices,
        default=CountQualifier.EXACT,
        help_text=_("“Over 100 guests” is over 100, not 100."),
    )
    description = models.TextField(_("description"), blank=True)
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("project")
    )
    search_text = models.TextField(_("search key"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "event"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "event"),
    )
    history = RegistryHistoricalRecords(excluded_fields=["search_text"], m2m_fields=[organisers])
    objects = EventQuerySet.as_manager()

    REGION_PATH = "commune__county__voivodeship"

    class Meta:
        ordering = [F("start_date").desc(nulls_last=True), "title", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        # The lists' order is served by an index on PostgreSQL (migration 0006); SQLite cannot
        # index NULLS LAST.
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=False, end_date__gte=F("start_date")),
                name="event_ends_after_it_starts",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            # The events per year of the statistics read from this narrow index alone (the
            # lists' index above also holds the titles): at national scale 4 ms against 9 for
            # a scan of the events' rows.
            models.Index(fields=["start_date"], name="event_start_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = search_key(self.title, self.venue, self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", args=[self.slug])

    def get_kind_display(self) -> str:
        return choice_label(self.Kind, self.kind)

    def clean(self) -> None:
        if self.end_date and not self.start_date:
            raise ValidationError({"start_date": _("Give the start date when the end date is known.")})
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})

    @property
    def participants_display(self) -> str:
        """The count as the source gives it: "ponad 100" stays "over 100", never a bare "100"."""
        if self.participant_count is None:
            return ""
        if self.participant_count_qualifier == self.CountQualifier.EXACT:
            return str(self.participant_count)
        return f"{self.get_participant_count_qualifier_display()} {self.participant_count}"


class Patron(RegionalRecord, models.Model):
    """Honorary patronage of an event, by a person (e.g. the Marshal of the Senate) or an institution."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="patrons", verbose_name=_("event"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="patronages", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patronages",
        verbose_name=_("institution"),
    )
    honorary_title = models.CharField(
        _("honorary title"), max_length=200, blank=True, help_text=_("e.g. Marshal of the Senate")
    )

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "patron"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "patron"),
    )
    history = RegistryHistoricalRecords()

    REGION_PATH = "event__commune__county__voivodeship"

    class Meta:
        verbose_name = _("patron")
        verbose_name_plural = _("patrons")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(institution__isnull=False),
                name="patron_is_person_or_institution",
                violation_error_message=_("A patron is a person or an institution."),
            ),
        ]

    def __str__(self) -> str:
        who = self.person or self.institution
        return f"{self.honorary_title} {who}".strip()

    def clean(self) -> None:
        if not self.person_id and not self.institution_id:
            raise ValidationError(_("A patron is a person or an institution."))


class Speaker(RegionalRecord, models.Model):
    """A person's part in an event, in the order of the programme: the role says what the
    source says happened ("present" is not "spoke")."""

    class Role(models.TextChoices):
        PRESENT = "present", _("was present")
        SPEAKER = "speaker", _("spoke")
        MODERATOR = "moderator", _("moderated")
        PANELLIST = "panellist", _("sat on the panel")
        PATRON = "patron", _("patron")
        ORGANISER = "organiser", _("organiser")
        CERTIFICATES = "handed_out", _("handed out certificates")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("event"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="talks", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PRESENT)
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "speaker"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "speaker"),
    )
    history = RegistryHistoricalRecords()

    REGION_PATH = "event__commune__county__voivodeship"

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("person at the event")
        verbose_name_plural = _("people at the event")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person", "role"],
                name="speaker_once_per_role",
                violation_error_message=_("This person is already listed in this role at this event."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Material(RegionalRecord, models.Model):
    """A publication, report or video reportage of an event or a project: a link or a PDF."""

    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("publication")
        REPORT = "report", _("report")
        VIDEO = "video", _("video reportage")
        PRESENTATION = "presentation", _("presentation")
        OTHER = "other", _("other")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="materials", verbose_name=_("event")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="materials", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(
        _("file (PDF)"), upload_to=document_upload_to, blank=True, validators=[validate_pdf], max_length=200
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "material"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "material"),
    )
    history = RegistryHistoricalRecords()

    class Meta:
        ordering = ["year", "title"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(project__isnull=False),
                name="material_of_event_or_project",
                violation_error_message=_("A material belongs to an event or a project."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.event_id and not self.project_id:
            raise ValidationError(_("A material belongs to an event or a project."))

    @property
    def region_id(self) -> str | None:
        # Of the event or the project it belongs to: two paths, so no REGION_PATH.
        owner = self.event if self.event_id else self.project if self.project_id else None
        return owner.region_id if owner is not None else None
