"""Institutions that take part in partnerships, the people who act for them, and which
regional centre a staff user works for."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from core.grammar import Grammar
from core.history import RegistryHistoricalRecords
from core.text import choice_label, search_key
from territory.models import Commune, RegionalRecord

from .querysets import InstitutionQuerySet, PersonQuerySet
from .uploads import logo_upload_to, thumbnail_of, validate_logo
from .validators import validate_krs, validate_nip, validate_regon

POLAND = "PL"


class Sector(models.TextChoices):
    PUBLIC = "public", _("public sector")
    NON_GOVERNMENTAL = "ngo", _("non-governmental sector")
    BUSINESS = "business", _("business")
    RELIGIOUS = "religious", _("religious organisations")
    OTHER = "other", _("other")


# The numbers of the public registers an institution is in: each one belongs to one institution
# (an empty one is no number), said on the field that repeats it.
REGISTER_NUMBERS = {
    "nip": _("Another institution already has this NIP."),
    "regon": _("Another institution already has this REGON."),
    "krs": _("Another institution already has this KRS number."),
}


class Institution(RegionalRecord, models.Model):
    """A public body, organisation or business that can be a member of a partnership.

    Located either in a Polish gmina (TERYT) or, for a foreign partner, in another country.
    Its home voivodeship, the gmina's, decides which regional centre may change it.
    """

    class Kind(models.TextChoices):
        MOPS = "mops", _("municipal social welfare centre (MOPS)")
        GOPS = "gops", _("commune social welfare centre (GOPS, MGOPS)")
        PCPR = "pcpr", _("county family support centre (PCPR)")
        ROPS = "rops", _("regional social policy centre (ROPS)")
        LABOUR_OFFICE = "pup", _("labour office (PUP, WUP)")
        POLICE = "police", _("police unit")
        COURT = "court", _("court")
        SCHOOL = "school", _("school")
        SPECIAL_SCHOOL_CENTRE = "sosw", _("special school and education centre (SOSW)")
        DPS = "dps", _("social welfare home (DPS)")
        SDS = "sds", _("community self-help home (ŚDS)")
        WTZ = "wtz", _("occupational therapy workshop (WTZ)")
        CIS = "cis", _("social integration centre or club (CIS, KIS)")
        SOCIAL_COOPERATIVE = "coop", _("social cooperative")
        FOUNDATION = "foundation", _("foundation")
        ASSOCIATION = "association", _("association")
        TRADE_UNION = "union", _("trade union")
        RELIGIOUS = "religious", _("church or religious organisation")
        BUSINESS = "business", _("business")
        LOCAL_GOVERNMENT = "local_gov", _("local government office (city or commune office, starostwo)")
        UNIVERSITY = "university", _("university or research institute")
        MINISTRY = "ministry", _("ministry or central office")
        PARLIAMENT = "parliament", _("parliamentary body")
        FOREIGN_PUBLIC = "foreign_public", _("foreign public body")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name or acronym"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    nip = models.CharField(_("NIP"), max_length=10, blank=True, validators=[validate_nip])
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    krs = models.CharField(_("KRS number"), max_length=10, blank=True, validators=[validate_krs])
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("commune"),
        help_text=_("Where the institution has its seat; empty for a foreign institution."),
    )
    country = models.CharField(_("country"), max_length=2, default=POLAND, help_text=_("ISO 3166 code: PL, GB, DE, …"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("public e-mail of the institution"), blank=True)
    phone = models.CharField(_("public telephone of the institution"), max_length=40, blank=True)
    logo = models.ImageField(
        _("logo"), upload_to=logo_upload_to, blank=True, validators=[validate_logo], max_length=200
    )
    logo_thumbnail = models.ImageField(_("logo thumbnail"), upload_to="logos/thumbnails/", blank=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    last_verified_on = models.DateField(
        _("last verified on"), null=True, blank=True, help_text=_("When a person last checked this record.")
    )
    search_text = models.TextField(_("search key"), blank=True, editable=False)
    # The name as duplicates are found (members.matching.comparable_name), kept so that the
    # duplicates page of 100,000 institutions does not fold every name again.
    name_key = models.TextField(_("comparison key of the name"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)

    history = RegistryHistoricalRecords(excluded_fields=["search_text", "name_key"])
    objects = InstitutionQuerySet.as_manager()

    REGION_PATH = "commune__county__voivodeship"
    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "institution"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "institution"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        # The lists page through institutions in this order; at 100,000 rows without it every
        # page (and a deep one most) sorts the whole table.
        indexes = [
            models.Index(fields=["name", "id"], name="institution_name"),
            # A county's page lists its institutions by name: read in that order per commune
            # instead of sorting the 3,000 of a city.
            models.Index(fields=["commune", "name"], name="institution_commune_name"),
            # The admin's and the public list's filter by kind, in the lists' order.
            models.Index(fields=["kind", "name", "id"], name="institution_kind_name"),
            # The admin's filter by country: a few dozen foreign ones among 100,000.
            models.Index(fields=["country", "name", "id"], name="institution_country_name"),
        ]
        constraints = [
            *(
                models.UniqueConstraint(
                    fields=[field],
                    condition=~Q(**{field: ""}),
                    name=f"institution_{field}_unique",
                    violation_error_message=message,
                )
                for field, message in REGISTER_NUMBERS.items()
            ),
            models.CheckConstraint(
                condition=Q(commune__isnull=True) | Q(country=POLAND),
                name="institution_commune_only_in_poland",
                violation_error_message=_("A commune can be given only for an institution in Poland."),
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"),
                name="institution_country_iso_code",
                violation_error_message=_("The country is a two-letter ISO 3166 code, e.g. PL or GB."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_search_text()
        # A logo assigned but not stored yet is a new upload. Django (checked on 5.2) has no public
        # way to ask a FieldFile that; FileField.pre_save reads the same attribute.
        if self.logo and not self.logo._committed:
            thumbnail = thumbnail_of(self.logo)
            self.logo_thumbnail.save(thumbnail.name, thumbnail, save=False)
        elif not self.logo:
            self.logo_thumbnail = ""
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("members:institution_detail", args=[self.slug])

    def get_kind_display(self) -> str:
        return choice_label(self.Kind, self.kind)

    def set_search_text(self) -> None:
        """The folded keys the search and the duplicates finder read; ``save`` sets them, and so
        does a bulk creation."""
        # matching compares institutions, so it imports this module; here it is needed once.
        from .matching import comparable_name

        self.search_text = search_key(self.name, self.short_name)
        self.name_key = comparable_name(self.name)

    def clean(self) -> None:
        self.country = (self.country or "").strip().upper()
        errors = {}
        if self.commune_id and self.country != POLAND:
            errors["commune"] = _("A commune can be given only for an institution in Poland; clear it or set PL.")
        # The unique constraints say the same, but against the whole form; here the message
        # lands on the field that repeats another institution's number.
        others = Institution.objects.exclude(pk=self.pk)
        for field, message in REGISTER_NUMBERS.items():
            value = getattr(self, field)
            if value and others.filter(**{field: value}).exists():
                errors[field] = message
        if errors:
            raise ValidationError(errors)

    @property
    def sector(self) -> str:
        return SECTOR_OF_KIND[self.kind]

    def get_sector_display(self) -> str:
        return Sector(self.sector).label

    @property
    def is_foreign(self) -> bool:
        return self.country != POLAND

    # What the admin's pickers join in to label a choice (config.admin_site.PickerView).
    PICKER_RELATED = ("commune",)

    @property
    def picker_label(self) -> str:
        """How a picker names it, with its kind and place (the commune, or the country of a
        foreign one): "Miejski Ośrodek Pomocy Społecznej — miejski ośrodek pomocy społecznej
        (MOPS), Ostrów Mazowiecka"."""
        place = self.commune.name if self.commune_id else self.country
        return f"{self.name} — {self.get_kind_display()}, {place}"

    @property
    def country_name(self) -> str:
        """The country's name in the active language ("Wielka Brytania"), by django-countries;
        the code itself for a code it does not know."""
        return countries.name(self.country) or self.country


K = Institution.Kind
SECTOR_OF_KIND = {
    **dict.fromkeys(
        [
            K.MOPS,
            K.GOPS,
            K.PCPR,
            K.ROPS,
            K.LABOUR_OFFICE,
            K.POLICE,
            K.COURT,
            K.SCHOOL,
            K.SPECIAL_SCHOOL_CENTRE,
            K.DPS,
            K.SDS,
            K.WTZ,
            K.CIS,
            K.LOCAL_GOVERNMENT,
            K.UNIVERSITY,
            K.MINISTRY,
            K.PARLIAMENT,
            K.FOREIGN_PUBLIC,
        ],
        Sector.PUBLIC,
    ),
    **dict.fromkeys([K.SOCIAL_COOPERATIVE, K.FOUNDATION, K.ASSOCIATION, K.TRADE_UNION], Sector.NON_GOVERNMENTAL),
    K.BUSINESS: Sector.BUSINESS,
    K.RELIGIOUS: Sector.RELIGIOUS,
    K.OTHER: Sector.OTHER,
}
KINDS_OF_SECTOR = {sector: [k for k, s in SECTOR_OF_KIND.items() if s == sector] for sector in Sector}


class Person(RegionalRecord, models.Model):
    """Someone who acts for an institution: a speaker, a signatory, a representative.

    Name, academic title, function and affiliation are public: they are held in an official
    capacity. E-mail, telephone and notes are personal data (RODO) for staff only: never shown
    on public pages nor exported.
    """

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    academic_title = models.CharField(
        _("academic title"), max_length=50, blank=True, help_text=_("e.g. prof., dr hab.")
    )
    function = models.CharField(_("function"), max_length=200, blank=True, help_text=_("e.g. director"))
    affiliation = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("affiliation"),
    )
    email = models.EmailField(_("e-mail (private)"), blank=True)
    phone = models.CharField(_("telephone (private)"), max_length=40, blank=True)
    private_notes = models.TextField(_("notes (private)"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)

    history = RegistryHistoricalRecords()
    objects = PersonQuerySet.as_manager()

    REGION_PATH = "affiliation__commune__county__voivodeship"
    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "person"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "person"),
    )
    PRIVATE_FIELDS = ("email", "phone", "private_notes")

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # The admin pages through 50,000 people in this order (with the id, so that paging is
        # stable); without it every page sorts the whole table.
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="person_name")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.academic_title, self.first_name, self.last_name) if part)


# The group that holds what staff of a regional centre may do (config.staff_group keeps its
# permissions); a new staff account is put in it (members.admin.StaffUserCreationForm).
STAFF_GROUP = "Pracownik regionalnego ośrodka"


class StaffProfile(RegionalRecord, models.Model):
    """Which regional social policy centre a staff user works for; its voivodeship is their region."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user")
    )
    centre = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="staff",
        limit_choices_to={"kind": Institution.Kind.ROPS},
        verbose_name=_("regional centre"),
    )

    REGION_PATH = "centre__commune__county__voivodeship"

    GRAMMAR = Grammar(
        pgettext_lazy("accusative", "staff profile"),
        pgettext_lazy("grammatical gender of the translated name: m, f or n", "staff profile"),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} – {self.centre}"

    def clean(self) -> None:
        # The centre's commune is what gives the user a region; without it they could change nothing.
        if self.centre_id and (self.centre.kind != Institution.Kind.ROPS or self.centre.region_id is None):
            raise ValidationError(
                {"centre": _("Choose a regional social policy centre (ROPS) with its commune filled in.")}
            )


class InstitutionAlias(RegionalRecord, models.Model):
    """An address an institution answered at before it was merged into another one: the
    merged-away record's page redirects here, permanently, so links and bookmarks keep working."""

    slug = models.SlugField(_("former slug"), max_length=120, unique=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("institution")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    REGION_PATH = "institution__commune__county__voivodeship"

    class Meta:
        ordering = ["slug"]
        verbose_name = _("former address of an institution")
        verbose_name_plural = _("former addresses of institutions")

    def __str__(self) -> str:
        return self.slug


class Merge(models.Model):
    """One merge of two records of one kind (two institutions, two people): which was kept, which
    was merged into it, and every step it took (``core.merging``), so that it can be undone."""

    kind = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of record")
    )
    # Plain numbers, not relations: the merged record no longer exists, and the kept one may be
    # merged again later; the names are kept as they were for the list of merges.
    kept_id = models.PositiveBigIntegerField(_("kept record (id)"))
    merged_id = models.PositiveBigIntegerField(_("merged record (id)"))
    kept_name = models.CharField(_("kept record"), max_length=300)
    merged_name = models.CharField(_("merged record"), max_length=300)
    merged_slug = models.CharField(_("former slug"), max_length=120, blank=True)
    reason = models.CharField(_("why they are duplicates"), max_length=200, blank=True)
    counts = models.JSONField(_("what moved"), default=list)
    steps = models.JSONField(_("steps"), default=list)
    region = models.ForeignKey(
        "territory.Voivodeship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voivodeship"),
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("merged by")
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.merged_name} → {self.kept_name}"
