"""Local partnerships, their members, agreements and evaluations."""

import base64
import datetime
import functools
import operator
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.grammar import Grammar
from core.history import RegistryHistoricalRecords
from core.models import DatePrecision, format_partial_date
from core.text import choice_label, search_key
from events.models import Event, Project
from members.models import KINDS_OF_SECTOR, SECTOR_OF_KIND, Institution, Person, Sector
from members.uploads import document_upload_to, logo_upload_to, validate_logo, validate_pdf
from territory.models import Commune, County, RegionalRecord, Voivodeship

from .querysets import AgreementQuerySet, CertificateQuerySet, MembershipQuerySet, PartnershipQuerySet


class ReferenceTerm(models.Model):
    """A term of a fixed vocabulary, kept as reference data (seeded by a migration)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        if self.name_en and translation.get_language() == "en":
            return self.name_en
        return self.name


class TargetGroup(ReferenceTerm):
    """People a partnership works for: homeless people, children and families, the unemployed, …"""

    class Meta(ReferenceTerm.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class ThematicArea(ReferenceTerm):
    """A field of action: employment, family support, social economy, …"""

    class Meta(ReferenceTerm.Meta):
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")


class Principle(ReferenceTerm):
    """One of the eight principles of partnership proposed by the Ministry of Labour and Social Policy."""

    description = models.TextField(_("description"), blank=True)

    class Meta(ReferenceTerm.Meta):
        verbose_name = _("principle")
        verbose_name_plural = _("principles")


class Partnership(RegionalRecord, models.Model):
    """A local partnership: institutions of several sectors working together in an area.

    Its home voivodeship is the one whose regional centre keeps the record; the area where it
    works may reach into other voivodeships.
    """

    class Status(models.TextChoices):
        FORMING = "forming", pgettext_lazy("partnership status", "forming")
        ACTIVE = "active", pgettext_lazy("partnership status", "active")
        SUSPENDED = "suspended", pgettext_lazy("partnership status", "suspended")
        DISSOLVED = "dissolved", pgettext_lazy("partnership status", "dissolved")
        # The default: a status is known only when a source or the staff state it, as of a date.
        UNKNOWN = "unknown", pgettext_lazy("partnership status", "unknown")

    class StatusStatedBy(models.TextChoices):
        SOURCE = "source", _("a source")
        STAFF = "staff", _("the staff of the regional centre")

    class FoundingKind(models.TextChoices):
        FOUNDED = "founded", _("founded (agreement signed or partnership formed)")
        BUILDING_STARTED = "building_started", _("building of the partnership started")

    class Stage(models.TextChoices):
        DIAGNOSIS = "diagnosis", _("diagnosis")
        BUILDING = "building", _("building the partnership")
        AGREEMENT = "agreement", _("agreement signed")
        ACTION_PLAN = "action_plan", _("joint action plan")
        IMPLEMENTATION = "implementation", _("implementation")
        EVALUATION = "evaluation", _("monitoring and evaluation")

    name = models.CharField(_("name"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    status_stated_on = models.DateField(
        _("status stated on"),
        null=True,
        blank=True,
        help_text=_("The date as of which the status was stated: the source's date, or the day staff checked it."),
    )
    status_stated_precision = models.CharField(
        _("precision of the status date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status_stated_by = models.CharField(
        _("status stated by"), max_length=10, choices=StatusStatedBy.choices, blank=True
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    founded_on = models.DateField(
        _("founded on"),
        null=True,
        blank=True,
        help_text=_("With a year alone, enter 1 January and the precision “year”."),
    )
    founded_precision = models.CharField(
        _("precision of the founding date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    founding_kind = models.CharField(
        _("what the date marks"),
        max_length=20,
        choices=FoundingKind.choices,
        default=FoundingKind.FOUNDED,
        help_text=_("A source that says building of a partnership “was started” in a year dates no founding."),
    )
    home_voivodeship = models.ForeignKey(
        Voivodeship,
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("home voivodeship"),
        help_text=_("The voivodeship whose regional centre keeps this record."),
    )
    area_counties = models.ManyToManyField(
        County, blank=True, related_name="partnerships", verbose_name=_("counties of the area")
    )
    area_communes = models.ManyToManyField(
        Commune, blank=True, related_name="partnerships", verbose_name=_("communes of the area")
    )
    goal = models.TextField(_("goal"), blank=True)
    description = models.TextField(_("description"), blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="partnerships", verbose_name=_("target groups")
    )
    thematic_areas = models.ManyToManyField(
        ThematicArea, blank=True, related_name="partnerships", verbose_name=_("thematic areas")
    )
    principles = models.ManyToManyField(
        Principle, blank=True, related_name="partnerships", verbose_name=_("principles adopted")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("project"),
    )
    events = models.ManyToManyField(
        Event,
        blank=True,
        related_name="partnerships",
        verbose_name=_("events"),
        help_text=_("Events where the partnership was presented or signed."),
    )
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"), upload_to=logo_upload_to, blank=True, validators=[validate_logo], max_length=200
    )
    declared_member_count = models.PositiveIntegerField(
        _("declared number of members"),
        null=True,
        blank=True,
        help_text=_("When a source gives only a number (“13 entities”), not the members themselves."),
    )
    last_verified_on = models.DateField(
        _("last verified on"), null=True, blank=True, help_text=_("When a person last checked this record.")
    )
    # Kept by the membership signals (partnerships.signals): lists show and sort by it without
    # counting the memberships of every partnership on every request.
    listed_member_count = models.PositiveIntegerField(
        _("number of members listed"), default=0, editable=False, help_text=_("Current members listed by name.")
    )
    search_text = models.TextField(_("search key"), blank=True, editable=False)
    # The search keys of its member institutions, past and present, kept by the same signals:
    # a search by a member's name is then one trigram lookup among the partnerships instead
    # of one among 100,000 institutions joined to 300,000 memberships.
    member_search_text = models.TextField(_("search key of the members"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "partnership"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "partnership"),
    )
    history = RegistryHistoricalRecords(
        excluded_fields=["search_text", "member_search_text", "listed_member_count"],
        m2m_fields=[area_counties, area_communes, target_groups, thematic_areas, principles, events],
    )
    objects = PartnershipQuerySet.as_manager()

    REGION_PATH = "home_voivodeship"

    class Meta:
        ordering = ["name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        # The orders the list offers (by name, by number of members), read from an index.
        indexes = [
            models.Index(fields=["name", "id"], name="partnership_name"),
            models.Index(fields=["listed_member_count", "name"], name="partnership_member_count"),
            # The admin's filters by founding year and by "no leader and no website": without
            # them each reads the whole table (20,000 wide rows) for a few hundred.
            models.Index(fields=["founded_on"], name="partnership_founded_on"),
            models.Index(fields=["name", "id"], condition=Q(website=""), name="partnership_without_website"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="unknown") | (Q(status_stated_on__isnull=False) & ~Q(status_stated_by="")),
                name="partnership_status_stated_with_date",
                violation_error_message=_("A known status says as of which date and who stated it."),
            ),
            models.CheckConstraint(
                condition=Q(founded_on__isnull=True)
                | Q(founded_precision=DatePrecision.DAY)
                | Q(founded_precision=DatePrecision.MONTH, founded_on__day=1)
                | Q(founded_precision=DatePrecision.YEAR, founded_on__day=1, founded_on__month=1),
                name="partnership_founding_date_fits_precision",
                violation_error_message=_(
                    "A founding date known to the month is the 1st of that month; known to the year, 1 January."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_search_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("partnerships:partnership_detail", args=[self.slug])

    def set_search_text(self) -> None:
        """The folded key the search reads; ``save`` sets it, and so does a bulk creation."""
        self.search_text = search_key(self.name, self.goal, self.description)

    def clean(self) -> None:
        if self.status != self.Status.UNKNOWN and (not self.status_stated_on or not self.status_stated_by):
            raise ValidationError(_("A known status says as of which date and who stated it."))
        # A date known to the year or month is stored as its first day: "od 2010 roku" is 2010-01-01
        # with precision "year", and is shown as "2010".
        if self.founded_on and self.founded_precision == DatePrecision.YEAR:
            self.founded_on = self.founded_on.replace(month=1, day=1)
        elif self.founded_on and self.founded_precision == DatePrecision.MONTH:
            self.founded_on = self.founded_on.replace(day=1)

    @property
    def status_stated_display(self) -> str:
        return format_partial_date(self.status_stated_on, self.status_stated_precision)

    @property
    def status_is_old(self) -> bool:
        """Whether the status was last stated longer ago than ``STATUS_CURRENT_FOR_DAYS``."""
        if self.status == self.Status.UNKNOWN or self.status_stated_on is None:
            return False
        age = datetime.date.today() - self.status_stated_on
        return age.days > settings.STATUS_CURRENT_FOR_DAYS

    @property
    def founded_display(self) -> str:
        """The founding date as precisely as it is known: "2010", "październik 2014", "28 października 2014"."""
        return format_partial_date(self.founded_on, self.founded_precision)


class Membership(RegionalRecord, models.Model):
    """An institution's membership of a partnership, with its role and dates."""

    class Role(models.TextChoices):
        LEADER = "leader", _("leader")
        PARTNER = "partner", _("partner")
        OBSERVER = "observer", _("observer")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("partnership")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("institution")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    represented_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="representations",
        verbose_name=_("represented by"),
    )
    notes = models.TextField(_("notes"), blank=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "membership"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "membership"),
    )
    history = RegistryHistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    REGION_PATH = "partnership__home_voivodeship"
    # Staff notes: shown in the admin only, never on a public page nor in open data.
    PRIVATE_FIELDS = ("notes",)

    class Meta:
        ordering = ["role", "institution__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("The date of leaving cannot be before the date of joining."),
            ),
            models.UniqueConstraint(
                fields=["partnership", "institution"],
                condition=Q(left_on__isnull=True),
                name="membership_one_current_per_institution",
                violation_error_message=_("This institution is already a current member of the partnership."),
            ),
        ]
        indexes = [
            # The partnerships with a current leader, read by "no leader and no website" (the
            # admin's contact filter and worklist) as one small index instead of 300,000 rows.
            models.Index(
                fields=["partnership"],
                condition=Q(left_on__isnull=True, role="leader"),
                name="membership_current_leader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} – {self.partnership}"

    def get_role_display(self) -> str:
        # Through the enum: a partnership's page labels each of its members' roles.
        return choice_label(self.Role, self.role)

    def clean(self) -> None:
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("The date of leaving cannot be before the date of joining.")})


class MemberKindCount(RegionalRecord, models.Model):
    """How many current members of one kind a partnership has listed by name: its memberships
    counted per kind of institution, with the kind's sector.

    Derived, never edited: ``PartnershipQuerySet.refresh_member_fields`` rewrites a
    partnership's rows whenever its memberships or a member institution change, as it does
    ``listed_member_count`` (partnerships.signals). The statistics read these 120,000 narrow
    rows at national scale instead of joining 300,000 memberships to their institutions and
    counting distinct partnerships (partnerships.statistics). No history: the memberships have
    their own.

    One row of each partnership and sector, that of the sector's first kind, is marked
    ``first_in_sector``: partnerships are then counted per sector and per kind in one pass over
    the rows (``PartnershipQuerySet.counts_by_member_sector_and_kind``), without counting
    distinct partnerships per sector in a second.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="member_kind_counts", verbose_name=_("partnership")
    )
    kind = models.CharField(_("kind of institution"), max_length=20, choices=Institution.Kind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    members = models.PositiveIntegerField(_("members listed by name"))
    first_in_sector = models.BooleanField(_("first of its sector in the partnership"), default=False)

    # Deleted with its partnership, and so of the partnership's region (core.deletion).
    REGION_PATH = "partnership__home_voivodeship"

    class Meta:
        verbose_name = _("members of one kind")
        verbose_name_plural = _("members of one kind")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "kind"], name="member_kind_count_one_per_kind"),
            # The sector is stored for the constraint on the rows first in their sector: the
            # database refuses one that is not the kind's (members.models.SECTOR_OF_KIND).
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_,
                    (Q(sector=sector, kind__in=kinds) for sector, kinds in KINDS_OF_SECTOR.items() if kinds),
                ),
                name="member_kind_count_sector_of_kind",
            ),
            models.CheckConstraint(condition=Q(members__gte=1), name="member_kind_count_not_empty"),
            # A partnership counted at most once in a sector (refresh_member_fields marks one).
            models.UniqueConstraint(
                fields=["partnership", "sector"],
                condition=Q(first_in_sector=True),
                name="member_kind_count_first_in_sector",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.members}"


class UnnamedMembers(RegionalRecord, models.Model):
    """Members a source describes only by their kind: "lokalna komenda Policji", "szkoły".

    They count in the partnership's members by sector like named ones, and are listed apart
    from them: the registry does not turn "schools" into invented institutions.
    """

    class Count(models.TextChoices):
        EXACT = "exact", _("exactly")
        SEVERAL = "several", _("several")
        NOT_GIVEN = "not_given", _("number not given")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="unnamed_members", verbose_name=_("partnership")
    )
    kind = models.CharField(
        _("kind of institution"),
        max_length=20,
        choices=Institution.Kind.choices,
        blank=True,
        help_text=_("Empty when the source gives only the sector (“organizacje pozarządowe”)."),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    description = models.CharField(
        _("as the source describes them"), max_length=300, help_text=_("e.g. “lokalna komenda Policji”")
    )
    count_kind = models.CharField(_("how many"), max_length=10, choices=Count.choices, default=Count.EXACT)
    count = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = RegistryHistoricalRecords()

    REGION_PATH = "partnership__home_voivodeship"

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("members known only by kind")
        verbose_name_plural = _("members known only by kind")
        constraints = [
            models.CheckConstraint(
                condition=Q(count_kind="exact", count__gte=1) | (~Q(count_kind="exact") & Q(count__isnull=True)),
                name="unnamed_members_count_fits",
                violation_error_message=_("An exact number is at least 1; “several” and “not given” have none."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} – {self.count_display}"

    def clean(self) -> None:
        # The kind decides the sector, as it does for a named institution.
        if self.kind:
            self.sector = SECTOR_OF_KIND[self.kind]

    @property
    def count_display(self) -> str:
        if self.count_kind == self.Count.EXACT:
            return str(self.count)
        return str(self.get_count_kind_display())


class Agreement(RegionalRecord, models.Model):
    """A signed document of a partnership: its founding agreement, an accession, an annex."""

    class Kind(models.TextChoices):
        FOUNDING = "founding", _("founding agreement")
        ACCESSION = "accession", _("accession")
        ANNEX = "annex", _("annex")
        LETTER_OF_INTENT = "intent", _("letter of intent")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("partnership")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FOUNDING)
    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_at = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements_signed",
        verbose_name=_("signed at (event)"),
    )
    document = models.FileField(
        _("signed document (PDF)"), upload_to=document_upload_to, blank=True, validators=[validate_pdf], max_length=200
    )
    notes = models.TextField(_("notes"), blank=True)
    # The title and the partnership's name folded (core.text.search_key), for the admin's
    # search through a trigram index; kept by save() and by a partnership's rename
    # (partnerships.signals).
    search_text = models.TextField(_("search key"), blank=True, default="", editable=False)

    objects = AgreementQuerySet.as_manager()

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "agreement"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "agreement"),
    )
    history = RegistryHistoricalRecords(excluded_fields=["search_text"])

    REGION_PATH = "partnership__home_voivodeship"
    # Staff notes: shown in the admin only, never on a public page nor in open data.
    PRIVATE_FIELDS = ("notes",)

    class Meta:
        ordering = [F("signed_on").asc(nulls_last=True), "id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.set_search_text()
        super().save(*args, **kwargs)

    def set_search_text(self, partnership_name: str | None = None) -> None:
        """The folded key the admin's search reads: the title and the partnership's name."""
        if partnership_name is None:
            partnership_name = self.partnership.name
        self.search_text = search_key(self.title, partnership_name)


class Signatory(RegionalRecord, models.Model):
    """Who signed an agreement, on behalf of which institution, in which function."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("agreement")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("on behalf of"),
    )
    function = models.CharField(_("function"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "signatory"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "signatory"),
    )
    history = RegistryHistoricalRecords()

    REGION_PATH = "agreement__partnership__home_voivodeship"

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(institution__isnull=False),
                name="signatory_is_person_or_institution",
                violation_error_message=_("A signatory is a person, an institution, or both."),
            ),
        ]

    def __str__(self) -> str:
        return " – ".join(str(x) for x in (self.person, self.institution) if x)

    def clean(self) -> None:
        if not self.person_id and not self.institution_id:
            raise ValidationError(_("A signatory is a person, an institution, or both."))


class Evaluation(RegionalRecord, models.Model):
    """An entry of monitoring or external evaluation of a partnership's work."""

    class Kind(models.TextChoices):
        MONITORING = "monitoring", _("monitoring")
        EXTERNAL = "external", _("external evaluation")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("partnership")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name=_("author institution"),
    )
    summary = models.TextField(_("summary"))
    document = models.FileField(
        _("document (PDF)"), upload_to=document_upload_to, blank=True, validators=[validate_pdf], max_length=200
    )

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "evaluation entry"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "evaluation entry"),
    )
    history = RegistryHistoricalRecords()

    REGION_PATH = "partnership__home_voivodeship"

    class Meta:
        ordering = ["-date"]
        verbose_name = _("evaluation entry")
        verbose_name_plural = _("monitoring and evaluation")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


def certificate_pdf_upload_to(instance, filename: str) -> str:
    """``certificates/<128 random bits in hex>.pdf``: a name nobody can guess from the number or
    the code, in a folder that ``/media/`` never serves (config.urls serves logos and documents
    only); the PDF is served by the certificate's own address."""
    return f"certificates/{secrets.token_hex(16)}.pdf"


def new_verification_code() -> str:
    """An unguessable code for the public verification address: 128 random bits as 26 characters
    of lower-case base32 (a–z, 2–7), which has no 0/O or 1/l/I to mistake when typed from paper."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower()


class CertificateSequence(models.Model):
    """The last certificate number taken in a voivodeship in a year.

    The issuing transaction locks this row (``select_for_update``) while it takes the next
    number, so two people issuing at the same moment never get the same one.
    """

    voivodeship = models.ForeignKey(
        Voivodeship, on_delete=models.PROTECT, related_name="+", verbose_name=_("voivodeship")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        ordering = ["voivodeship", "year"]
        verbose_name = _("certificate number sequence")
        verbose_name_plural = _("certificate number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["voivodeship", "year"],
                name="certificate_sequence_one_per_voivodeship_and_year",
                violation_error_message=_("A voivodeship has one certificate number sequence a year."),
            ),
        ]

    def __str__(self) -> str:
        return f"RPL/{self.voivodeship_id}/{self.year}: {self.last}"


class CertificateKind(models.TextChoices):
    PARTNERSHIP = "partnership", _("partnership certificate")
    MEMBERSHIP = "membership", _("membership certificate")


class CertificateStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate status", "valid")
    REVOKED = "revoked", pgettext_lazy("certificate status", "revoked")
    SUPERSEDED = "superseded", pgettext_lazy("certificate status", "superseded")


class Certificate(RegionalRecord, models.Model):
    """A numbered certificate of a partnership, or of one institution's membership of it.

    What it certified is frozen in ``snapshot`` when it is issued: renaming the partnership or
    a member leaving later changes neither the printed PDF nor the public verification page.
    Issue, revoke and reissue through ``partnerships.certificates``, which numbers them and
    checks the user's region; see docs/certificates.md for the numbering scheme.
    """

    # Defined beside the model so that Meta's constraints can name them too.
    Kind = CertificateKind
    Status = CertificateStatus

    kind = models.CharField(
        _("kind"), max_length=20, choices=CertificateKind.choices, default=CertificateKind.PARTNERSHIP
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("partnership")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("member institution"),
        help_text=_("Only for a membership certificate."),
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    issued_on = models.DateField(_("issued on"))
    issuing_centre = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates_issued",
        verbose_name=_("issuing centre"),
    )
    signatory_name = models.CharField(_("signatory"), max_length=200)
    signatory_function = models.CharField(_("function of the signatory"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    verification_code = models.CharField(
        _("verification code"), max_length=64, default=new_verification_code, editable=False
    )
    verification_count = models.PositiveIntegerField(_("number of verifications"), default=0, editable=False)
    # The code proves that whoever verifies holds the paper, so the public pages never show it,
    # unless the holder published the verification address itself (on its website, say).
    verification_published = models.BooleanField(
        _("verification address published by the holder"),
        default=False,
        help_text=_(
            "Tick only when the holder has published the verification address itself: the "
            "partnership's page then links the certificate's number to its verification."
        ),
    )
    snapshot = models.JSONField(_("what was certified"), default=dict, editable=False)
    # Rendered from the snapshot when the certificate is issued and again when its status
    # changes (the stamp), then served as it is: partnerships.certificates.pdf_file.
    pdf = models.FileField(_("PDF"), upload_to=certificate_pdf_upload_to, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Public verifications only add to the counter, and the stored PDF is a rendition of what
    # the row says: neither is a change worth a history row.
    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "certificate"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "certificate"),
    )
    history = RegistryHistoricalRecords(excluded_fields=["verification_count", "pdf"])
    objects = CertificateQuerySet.as_manager()

    REGION_PATH = "partnership__home_voivodeship"
    # An issued certificate is verified by its code: a merge of two institutions that each hold
    # a valid one of the same partnership is refused (core.merging) rather than delete one.
    MERGE_KEEPS_ROWS = True

    class Meta:
        ordering = ["-issued_on", "-number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [
            models.Index(fields=["partnership", "status"], name="certificate_partnership_status"),
            models.Index(fields=["-issued_on", "-number"], name="certificate_issued_on"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                name="certificate_number_unique",
                violation_error_message=_("Another certificate already has this number."),
            ),
            models.UniqueConstraint(
                fields=["verification_code"],
                name="certificate_verification_code_unique",
                violation_error_message=_("Another certificate already has this verification code."),
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^RPL/[0-9]{2}/[0-9]{4}/[0-9]{5}$"),
                name="certificate_number_format",
                violation_error_message=_("A certificate number reads RPL/<voivodeship>/<year>/<5 digits>."),
            ),
            models.CheckConstraint(
                condition=Q(kind=CertificateKind.MEMBERSHIP, institution__isnull=False)
                | Q(kind=CertificateKind.PARTNERSHIP, institution__isnull=True),
                name="certificate_institution_only_for_membership",
                violation_error_message=_(
                    "A membership certificate names its member institution; a partnership certificate names none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.REVOKED)
                | (Q(revoked_on__isnull=False) & ~Q(revocation_reason="")),
                name="certificate_revocation_has_date_and_reason",
                violation_error_message=_("A revoked certificate has the date of revocation and its reason."),
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(status=CertificateStatus.SUPERSEDED),
                name="certificate_successor_only_when_superseded",
                violation_error_message=_("Only a superseded certificate points to the one that replaced it."),
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(kind=CertificateKind.PARTNERSHIP, status=CertificateStatus.VALID),
                name="certificate_one_valid_per_partnership",
                violation_error_message=_("The partnership already has a valid certificate: reissue it instead."),
            ),
            models.UniqueConstraint(
                fields=["partnership", "institution"],
                condition=Q(kind=CertificateKind.MEMBERSHIP, status=CertificateStatus.VALID),
                name="certificate_one_valid_per_membership",
                violation_error_message=_("This member already has a valid certificate: reissue it instead."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("certificates:certificate_verify", args=[self.verification_code])

    def clean(self) -> None:
        if self.kind == self.Kind.MEMBERSHIP and not self.institution_id:
            raise ValidationError({"institution": _("A membership certificate names its member institution.")})
        if self.kind == self.Kind.PARTNERSHIP and self.institution_id:
            raise ValidationError({"institution": _("A partnership certificate names no member institution.")})
        if self.status == self.Status.REVOKED and (not self.revoked_on or not self.revocation_reason.strip()):
            raise ValidationError(_("A revoked certificate has the date of revocation and its reason."))

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    def get_pdf_url(self) -> str:
        return reverse("certificates:certificate_pdf", args=[self.verification_code])

    @property
    def public_url(self) -> str:
        """The verification address printed in the QR code: absolute, on the public site."""
        return settings.SITE_URL + self.get_absolute_url()


class ImportRun(models.Model):
    """One spreadsheet brought in (or previewed): who, which file, what it did, and its state.

    Its records (``ImportedRecord``) say what was written, so that the whole import can be
    undone as long as nothing changed them since (``partnerships.imports.undo``). It is a log,
    not a record a region keeps: ``region`` says whose staff may undo it.
    """

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("previewed, not written")
        DONE = "done", _("imported")
        UNDONE = "undone", _("undone")

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_runs", verbose_name=_("user")
    )
    # Not "region": the registry's records have a region_id of their own (RegionalRecord); a log
    # of imports is not one of them.
    voivodeship = models.ForeignKey(
        Voivodeship,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_runs",
        verbose_name=_("region"),
        help_text=_("The voivodeship of the user's centre; empty for a superuser."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PREVIEWED)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "spreadsheet import"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "spreadsheet import"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")

    def __str__(self) -> str:
        return f"{self.pk}: {self.file_name}"


class ImportedRecord(models.Model):
    """A record an import wrote: created, or changed (with its values before), and the history
    row the import left, which must still be its latest for the import to be undone."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="records", verbose_name=_("import"))
    model = models.CharField(_("model"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("object id"))
    created = models.BooleanField(_("created"), default=False)
    history_id = models.PositiveBigIntegerField(_("history row"), null=True, blank=True)
    before = models.JSONField(_("values before"), default=dict, blank=True)

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        indexes = [models.Index(fields=["run", "model"], name="imported_record_run_model")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id}"
