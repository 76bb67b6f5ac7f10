"""Certificates of partnerships and of membership: issuing, revoking, reissuing, and their PDFs.

The admin (and anything else acting for a person) calls these functions with the acting
``user``; they check the user's region and permissions on the server and raise
``PermissionDenied`` or ``CertificateError`` with a message fit to show that person:

- ``issue_partnership_certificate(partnership, user, signatory_name, signatory_function, issued_on=None)``
- ``issue_membership_certificates(partnership, user, signatory_name, signatory_function, issued_on=None)``
- ``revoke(certificate, user, reason)``
- ``reissue(certificate, user, signatory_name=None, signatory_function=None, issued_on=None)``

Numbers read ``RPL/<voivodeship>/<year>/<5 digits>`` (docs/certificates.md): one sequence per
voivodeship and year, its counter row locked while a number is taken, so numbers never
repeat even when two people issue at once.

What a certificate certifies is frozen in its ``snapshot`` when it is issued. ``render_pdf``
and ``render_batch_pdf`` read the snapshot alone (never the live records), always in Polish,
with the fonts shipped in ``static/fonts``, and through ``url_fetcher``, which serves local
static and media files only.

Each certificate's PDF is rendered once for each status it has and kept in the media storage
(``Certificate.pdf``, through Django's storage API only): when it is issued and when it is
revoked or superseded (the stamp), after the transaction commits. ``pdf_file`` serves it, and
renders and stores it first if it is missing.
"""

import base64
import datetime
import io
import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML, default_url_fetcher
from weasyprint.text.fonts import FontConfiguration

from core.text import search_key
from members.models import Institution, StaffProfile
from members.scope import can_change

from .models import Agreement, Certificate, CertificateSequence, Membership, Partnership, format_partial_date

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1
MAX_SEQUENCE = 99_999
EARLIEST_ISSUE_YEAR = 2000
TEMPLATE = "partnerships/certificate.html"
# The kinds of logo an upload can be (members.uploads): printed from the storage, nothing else.
LOGO_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
STYLESHEET = "css/certificate.css"
# Tagged PDF for screen readers (PDF/UA-1): structure tags in reading order, the document's
# language (the template's <html lang>) and title (its <title>) in the metadata.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
ROLE_ORDER = {Membership.Role.LEADER: 0, Membership.Role.PARTNER: 1, Membership.Role.OBSERVER: 2}
# How tightly the member list is set: one column of large type for a few members, up to five
# columns of small type. Level 5 names the first 60 members and says how many more there are;
# level 6, the last resort, names none and points to the verification page, so a certificate
# always fits its page.
MEMBERS_LISTED_AT_MOST = 60
DENSITY_BY_MEMBER_COUNT = ((8, 0), (20, 1), (36, 2), (54, 3), (MEMBERS_LISTED_AT_MOST, 4))
SHORTENED_LIST_DENSITY = 5
MAX_DENSITY = 6


class CertificateError(Exception):
    """The certificate's state or the arguments do not allow the operation; the message says why."""


# Numbers


def format_number(voivodeship_code: str, year: int, sequence: int) -> str:
    """``RPL/14/2026/00042``: registry, voivodeship TERYT code, year of issue, sequence in both."""
    return f"RPL/{voivodeship_code}/{year:04d}/{sequence:05d}"


def take_numbers(voivodeship_code: str, year: int, count: int = 1) -> list[str]:
    """The next ``count`` numbers of the voivodeship's sequence for the year.

    Call it inside the transaction that saves the certificates: the counter row stays locked
    (``SELECT … FOR UPDATE``) until that transaction ends, so a concurrent issuer waits and
    then continues after these numbers; if the transaction rolls back, so does the counter.
    Three queries, whatever ``count``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("take_numbers() must run inside the issuing transaction.")
    # Creates the year's row if it is the first certificate; a concurrent insert of the same
    # row waits for this one and then does nothing (ON CONFLICT DO NOTHING).
    CertificateSequence.objects.bulk_create(
        [CertificateSequence(voivodeship_id=voivodeship_code, year=year)], ignore_conflicts=True
    )
    sequence = CertificateSequence.objects.select_for_update().get(voivodeship_id=voivodeship_code, year=year)
    first = sequence.last + 1
    if sequence.last + count > MAX_SEQUENCE:
        raise CertificateError(
            _("The certificate numbers of this voivodeship for %(year)d are used up.") % {"year": year}
        )
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [format_number(voivodeship_code, year, n) for n in range(first, first + count)]


# Who may act, and on whose behalf


def issuing_centre_of(user) -> Institution | None:
    """The regional centre (ROPS) the user works for; None for a superuser without one."""
    profile = StaffProfile.objects.filter(user_id=user.pk).select_related("centre__commune").first()
    return profile.centre if profile else None


def _allowed_partnership(user, partnership_id: int, *permissions: str) -> Partnership:
    """The partnership as the database has it, once ``user`` may act on its certificates:
    its region is read afresh, never taken from an instance the caller may have changed."""
    partnership = Partnership.objects.select_related("home_voivodeship").get(pk=partnership_id)
    if user is None or not can_change(user, partnership):
        raise PermissionDenied(
            _("You may issue, revoke and reissue certificates only for partnerships of your own voivodeship.")
        )
    if not all(user.has_perm(f"partnerships.{permission}") for permission in permissions):
        raise PermissionDenied(_("Your account has no permission to issue or change certificates."))
    return partnership


def _checked_signatory(name: str, function: str) -> tuple[str, str]:
    name, function = " ".join((name or "").split()), " ".join((function or "").split())
    if not name:
        raise CertificateError(_("Give the name of the person who signs the certificate."))
    return name, function


def _checked_issue_date(issued_on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    issued_on = issued_on or today
    if issued_on > today:
        raise CertificateError(_("The date of issue cannot be in the future."))
    if issued_on.year < EARLIEST_ISSUE_YEAR:
        raise CertificateError(_("The date of issue cannot be before 2000."))
    return issued_on


def _check_can_be_certified(partnership: Partnership) -> None:
    if partnership.status == Partnership.Status.DISSOLVED:
        raise CertificateError(_("A dissolved partnership cannot be certified."))


# The snapshot: what a certificate certifies, as plain JSON


def _institution_facts(institution: Institution) -> dict:
    return {
        "name": institution.name,
        "short_name": institution.short_name,
        "slug": institution.slug,
        "kind": institution.kind,
        "country": institution.country,
    }


def _member_facts(membership: Membership) -> dict:
    return {
        **_institution_facts(membership.institution),
        "role": membership.role,
        "joined_on": membership.joined_on.isoformat() if membership.joined_on else None,
    }


def _centre_facts(centre: Institution | None) -> dict | None:
    if centre is None:
        return None
    return {
        **_institution_facts(centre),
        "place": centre.commune.name if centre.commune_id else "",
        "logo": centre.logo.name or "",
    }


def _partnership_facts(partnership: Partnership) -> tuple[dict, list[Membership]]:
    """The partnership's part of a snapshot, read afresh from the database, and its current
    memberships (leader first, then by name). Five queries, whatever the number of members."""
    partnership = (
        Partnership.objects.select_related("home_voivodeship")
        .prefetch_related("area_counties", "area_communes__county")
        .get(pk=partnership.pk)
    )
    memberships = sorted(
        Membership.objects.current().filter(partnership=partnership).select_related("institution"),
        key=lambda m: (ROLE_ORDER.get(m.role, len(ROLE_ORDER)), search_key(m.institution.name), m.institution.name),
    )
    agreement = (
        Agreement.objects.filter(partnership=partnership, kind=Agreement.Kind.FOUNDING)
        .order_by(F("signed_on").asc(nulls_last=True), "id")
        .first()
    )
    with translation.override("pl"):
        founded_display = format_partial_date(partnership.founded_on, partnership.founded_precision)
    facts = {
        "version": SNAPSHOT_VERSION,
        "partnership": {
            "name": partnership.name,
            "slug": partnership.slug,
            "founded_on": partnership.founded_on.isoformat() if partnership.founded_on else None,
            "founded_precision": partnership.founded_precision,
            "founded_display": founded_display,
            "home_voivodeship": {
                "code": partnership.home_voivodeship.code,
                "name": partnership.home_voivodeship.name,
            },
            "logo": partnership.logo.name or "",
        },
        "area": {
            "counties": [
                {"code": c.code, "name": c.name, "kind": c.kind, "label": str(c)}
                for c in partnership.area_counties.all()
            ],
            "communes": [
                {"code": c.code, "name": c.name, "kind": c.kind, "county_code": c.county.code, "county": str(c.county)}
                for c in partnership.area_communes.all()
            ],
        },
        "members": [_member_facts(m) for m in memberships],
        "founding_agreement": (
            {"title": agreement.title, "signed_on": agreement.signed_on.isoformat() if agreement.signed_on else None}
            if agreement
            else None
        ),
    }
    return facts, memberships


def snapshot(partnership: Partnership, institution: Institution | None = None, issuing_centre=None) -> dict:
    """What a certificate of ``partnership`` (or of ``institution``'s membership of it) would
    certify now: names, TERYT codes, current members, founding agreement, issuing centre.

    Plain JSON, copied into the certificate when it is issued, so that later edits of the
    records change neither its PDF nor its verification page.
    """
    facts, memberships = _partnership_facts(partnership)
    membership = None
    if institution is not None:
        membership = next((m for m in memberships if m.institution_id == institution.pk), None)
        if membership is None:
            raise CertificateError(
                _("%(institution)s is not a current member of the partnership.") % {"institution": institution.name}
            )
    return _compose(facts, membership, issuing_centre)


def _compose(facts: dict, membership: Membership | None, centre: Institution | None) -> dict:
    return {
        **facts,
        "kind": Certificate.Kind.MEMBERSHIP if membership else Certificate.Kind.PARTNERSHIP,
        "institution": _member_facts(membership) if membership else None,
        "issuing_centre": _centre_facts(centre),
    }


# Issuing, revoking, reissuing


def _new_certificate(
    partnership: Partnership,
    *,
    number: str,
    facts: dict,
    membership: Membership | None,
    centre: Institution | None,
    issued_on: datetime.date,
    name: str,
    function: str,
    user,
) -> Certificate:
    certificate = Certificate(
        kind=Certificate.Kind.MEMBERSHIP if membership else Certificate.Kind.PARTNERSHIP,
        partnership=partnership,
        institution_id=membership.institution_id if membership else None,
        number=number,
        issued_on=issued_on,
        issuing_centre=centre,
        signatory_name=name,
        signatory_function=function,
        snapshot=_compose(facts, membership, centre),
    )
    certificate._history_user = user
    certificate.save()
    return certificate


def issue_partnership_certificate(
    partnership: Partnership,
    user,
    signatory_name: str,
    signatory_function: str = "",
    issued_on: datetime.date | None = None,
    *,
    pdfs_after_commit: bool = True,
) -> Certificate:
    """Issue the partnership's certificate, numbered in its home voivodeship's sequence.

    Raises ``PermissionDenied`` for staff of another region (or without the permission to add
    certificates) and ``CertificateError`` when the partnership already has a valid one (reissue
    it instead), is dissolved, or the signatory or date is missing or wrong. The PDF is rendered
    and stored once the transaction commits, unless ``pdfs_after_commit`` is False (a printing
    job stores them itself, with its progress).
    """
    partnership = _allowed_partnership(user, partnership.pk, "add_certificate")
    name, function = _checked_signatory(signatory_name, signatory_function)
    issued_on = _checked_issue_date(issued_on)
    _check_can_be_certified(partnership)
    centre = issuing_centre_of(user)
    try:
        with transaction.atomic():
            current = Certificate.objects.filter(
                partnership=partnership, kind=Certificate.Kind.PARTNERSHIP, status=Certificate.Status.VALID
            ).first()
            if current is not None:
                raise CertificateError(
                    _("The partnership already has a valid certificate, %(number)s: reissue it instead.")
                    % {"number": current.number}
                )
            facts, _memberships = _partnership_facts(partnership)
            [number] = take_numbers(partnership.home_voivodeship_id, issued_on.year)
            certificate = _new_certificate(
                partnership,
                number=number,
                facts=facts,
                membership=None,
                centre=centre,
                issued_on=issued_on,
                name=name,
                function=function,
                user=user,
            )
            if pdfs_after_commit:
                _store_pdfs_after_commit([certificate])
            return certificate
    except IntegrityError as error:
        raise CertificateError(_("Another certificate was issued at the same moment; reload and try again.")) from error


def issue_membership_certificates(
    partnership: Partnership,
    user,
    signatory_name: str,
    signatory_function: str = "",
    issued_on: datetime.date | None = None,
    *,
    pdfs_after_commit: bool = True,
) -> list[Certificate]:
    """Issue a membership certificate to every current member that has no valid one yet.

    Returns the new certificates, leader first and then by name (print them with
    ``render_batch_pdf``); an empty list when every member already holds one. All or none are
    issued, with consecutive numbers. Raises like ``issue_partnership_certificate``, and
    ``CertificateError`` when the partnership has no current members.
    """
    partnership = _allowed_partnership(user, partnership.pk, "add_certificate")
    name, function = _checked_signatory(signatory_name, signatory_function)
    issued_on = _checked_issue_date(issued_on)
    _check_can_be_certified(partnership)
    centre = issuing_centre_of(user)
    try:
        with transaction.atomic():
            facts, memberships = _partnership_facts(partnership)
            if not memberships:
                raise CertificateError(_("The partnership has no current members to certify."))
            holders = set(
                Certificate.objects.filter(
                    partnership=partnership, kind=Certificate.Kind.MEMBERSHIP, status=Certificate.Status.VALID
                ).values_list("institution_id", flat=True)
            )
            to_certify = [m for m in memberships if m.institution_id not in holders]
            if not to_certify:
                return []
            numbers = take_numbers(partnership.home_voivodeship_id, issued_on.year, len(to_certify))
            issued = [
                _new_certificate(
                    partnership,
                    number=number,
                    facts=facts,
                    membership=membership,
                    centre=centre,
                    issued_on=issued_on,
                    name=name,
                    function=function,
                    user=user,
                )
                for number, membership in zip(numbers, to_certify, strict=True)
            ]
            if pdfs_after_commit:
                _store_pdfs_after_commit(issued)
            return issued
    except IntegrityError as error:
        raise CertificateError(_("Another certificate was issued at the same moment; reload and try again.")) from error


def _locked(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().select_related("partnership").get(pk=certificate.pk)


def _refuse_unless_valid(certificate: Certificate) -> None:
    if certificate.status == Certificate.Status.REVOKED:
        raise CertificateError(
            _("Certificate %(number)s was revoked on %(date)s.")
            % {"number": certificate.number, "date": formats.date_format(certificate.revoked_on)}
        )
    if certificate.status == Certificate.Status.SUPERSEDED:
        raise CertificateError(
            _("Certificate %(number)s has been superseded; act on the certificate that replaced it.")
            % {"number": certificate.number}
        )


def revoke(certificate: Certificate, user, reason: str) -> Certificate:
    """Revoke a valid certificate today, for the reason given (required, shown publicly).

    Its verification page then says it was revoked, when and why; its PDF is marked void.
    Returns the updated certificate (``certificate`` itself is updated too).
    """
    _allowed_partnership(user, certificate.partnership_id, "change_certificate")
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give the reason for revoking the certificate; it is shown on its public page."))
    with transaction.atomic():
        locked = _locked(certificate)
        _refuse_unless_valid(locked)
        locked.status = Certificate.Status.REVOKED
        locked.revoked_on = timezone.localdate()
        locked.revocation_reason = reason
        locked._history_user = user
        # The stored PDF says "valid": it goes with the status it was rendered for.
        discarded, locked.pdf = locked.pdf.name, ""
        locked.save(update_fields=["status", "revoked_on", "revocation_reason", "pdf"])
        _store_pdfs_after_commit([locked], discarded=[discarded])
    certificate.status, certificate.revoked_on, certificate.revocation_reason, certificate.pdf = (
        locked.status,
        locked.revoked_on,
        locked.revocation_reason,
        locked.pdf.name,
    )
    return locked


def set_verification_published(certificate: Certificate, user, published: bool) -> Certificate:
    """Record whether the holder published the certificate's verification address; the
    partnership's public page then links the number to it (or stops doing so). Staff of the
    partnership's region only."""
    _allowed_partnership(user, certificate.partnership_id, "change_certificate")
    with transaction.atomic():
        locked = _locked(certificate)
        locked.verification_published = published
        locked._history_user = user
        locked.save(update_fields=["verification_published"])
    certificate.verification_published = published
    return locked


def reissue(
    certificate: Certificate,
    user,
    signatory_name: str | None = None,
    signatory_function: str | None = None,
    issued_on: datetime.date | None = None,
) -> Certificate:
    """Replace a valid certificate by a new one: a fresh snapshot of the records, a new number
    (of the year of issue), the same signatory unless another is given.

    The old certificate becomes superseded and its page links to the new one. A membership
    certificate can be reissued only while the institution is still a current member (else
    revoke it). Returns the new certificate.
    """
    _allowed_partnership(user, certificate.partnership_id, "add_certificate", "change_certificate")
    issued_on = _checked_issue_date(issued_on)
    centre = issuing_centre_of(user) or certificate.issuing_centre
    try:
        with transaction.atomic():
            old = _locked(certificate)
            _refuse_unless_valid(old)
            _check_can_be_certified(old.partnership)
            name, function = _checked_signatory(
                old.signatory_name if signatory_name is None else signatory_name,
                old.signatory_function if signatory_function is None else signatory_function,
            )
            facts, memberships = _partnership_facts(old.partnership)
            membership = None
            if old.kind == Certificate.Kind.MEMBERSHIP:
                membership = next((m for m in memberships if m.institution_id == old.institution_id), None)
                if membership is None:
                    raise CertificateError(
                        _(
                            "%(institution)s is no longer a current member of the partnership: "
                            "revoke its certificate instead."
                        )
                        % {"institution": (old.snapshot.get("institution") or {}).get("name", "")}
                    )
            # The old one stops being valid first: a partnership or member has one valid certificate.
            old.status = Certificate.Status.SUPERSEDED
            old._history_user = user
            discarded, old.pdf = old.pdf.name, ""
            old.save(update_fields=["status", "pdf"])
            [number] = take_numbers(old.partnership.home_voivodeship_id, issued_on.year)
            new = _new_certificate(
                old.partnership,
                number=number,
                facts=facts,
                membership=membership,
                centre=centre,
                issued_on=issued_on,
                name=name,
                function=function,
                user=user,
            )
            old.superseded_by = new
            old.save(update_fields=["superseded_by"])
            _store_pdfs_after_commit([old, new], discarded=[discarded])
    except IntegrityError as error:
        raise CertificateError(_("Another certificate was issued at the same moment; reload and try again.")) from error
    certificate.status, certificate.superseded_by, certificate.pdf = old.status, new, old.pdf.name
    return new


# What a certificate says, from its snapshot alone


def _member_view(member: dict) -> dict:
    return {
        "name": member.get("name", ""),
        "kind": member.get("kind", ""),
        "kind_label": _choice_label(Institution.Kind, member.get("kind", "")),
        "role": member.get("role", ""),
        "role_label": _choice_label(Membership.Role, member.get("role", "")),
        "country": member.get("country", ""),
        "joined_on": datetime.date.fromisoformat(member["joined_on"]) if member.get("joined_on") else None,
    }


def _choice_label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _media_uri(name: str) -> str:
    """A stored logo as a ``data:`` URI, read through the media storage (a file path would not
    exist on S3); "" when the name is not an image's, is missing or leaves the storage."""
    content_type = mimetypes.guess_type(name)[0] if name else None
    if content_type not in LOGO_TYPES:
        return ""
    try:
        with default_storage.open(name, "rb") as file:
            content = file.read()
    except (OSError, SuspiciousFileOperation):
        return ""
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"


def describe(certificate: Certificate) -> dict:
    """The certificate as the PDF and the verification page show it: labels in the active
    language, facts from the snapshot only."""
    data = certificate.snapshot or {}
    partnership = data.get("partnership", {})
    area = data.get("area", {})
    agreement = data.get("founding_agreement") or None
    signed_on = agreement.get("signed_on") if agreement else None
    centre = data.get("issuing_centre") or None
    institution = data.get("institution") or None
    is_membership = certificate.kind == Certificate.Kind.MEMBERSHIP
    return {
        "is_membership": is_membership,
        "title": (
            _("Certificate of membership of a local partnership")
            if is_membership
            else _("Certificate of a local partnership")
        ),
        "partnership": partnership,
        "voivodeship": partnership.get("home_voivodeship", {}),
        "counties": area.get("counties", []),
        "communes": area.get("communes", []),
        "members": [_member_view(m) for m in data.get("members", [])],
        "agreement": agreement,
        "agreement_signed_on": datetime.date.fromisoformat(signed_on) if signed_on else None,
        "institution": _member_view(institution) if institution else None,
        "centre": centre,
    }


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI: vector, so it prints sharp at any size."""
    return segno.make(url, error="q", micro=False).svg_data_uri(border=4, dark="#1a1a1a", light="#ffffff")


def certificate_context(certificate: Certificate, density: int = 0) -> dict:
    """Context of ``partnerships/certificate.html`` for one certificate."""
    view = describe(certificate)
    url = certificate.public_url
    start, code, end = url.rpartition(certificate.verification_code)
    members = view["members"]
    if density >= MAX_DENSITY:
        listed = []
    elif density == SHORTENED_LIST_DENSITY:
        listed = members[:MEMBERS_LISTED_AT_MOST]
    else:
        listed = members
    return {
        **view,
        "certificate": certificate,
        "density": density,
        "listed_members": listed,
        "unlisted_member_count": len(members) - len(listed),
        "verify_url": url,
        # Printed on two lines, the code unbroken on the second: a code split at a line end
        # is easy to mistype.
        "verify_url_start": start,
        "verify_url_code": code + end,
        "qr": qr_data_uri(url),
        "centre_logo": _media_uri((view["centre"] or {}).get("logo", "")),
        "partnership_logo": _media_uri(view["partnership"].get("logo", "")),
    }


# Rendering


def _static_roots() -> list[Path]:
    roots = [settings.STATIC_ROOT, *(d[1] if isinstance(d, list | tuple) else d for d in settings.STATICFILES_DIRS)]
    return [Path(root).resolve() for root in roots if root]


def _is_servable(path: Path) -> bool:
    roots = [*_static_roots(), Path(settings.MEDIA_ROOT).resolve()]
    return any(path.is_relative_to(root) for root in roots)


def url_fetcher(url: str, *args, **kwargs) -> dict:
    """WeasyPrint's fetcher for certificates: ``data:`` URIs and local files under the static
    directories and MEDIA_ROOT, nothing else.

    Remote addresses, other local files and ``..`` escapes (resolved, symlinks too) raise, so
    WeasyPrint leaves the resource out: a template or an uploaded name can never make the
    server read /etc/passwd or call another host.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return default_url_fetcher(url)
    if scheme == "file" and parts.netloc in ("", "localhost"):
        path = Path(url2pathname(parts.path)).resolve()
        if _is_servable(path) and path.is_file():
            return {
                "file_obj": path.open("rb"),
                "mime_type": mimetypes.guess_type(path.name)[0],
                "redirected_url": path.as_uri(),
                "path": str(path),
            }
    raise ValueError(f"Certificates use local static and media files only; refused: {url[:200]!r}")


def _stylesheet_path() -> Path:
    found = finders.find(STYLESHEET)
    return Path(found) if found else Path(settings.STATIC_ROOT) / STYLESHEET


def _stylesheet(font_config: FontConfiguration) -> CSS:
    path = _stylesheet_path()
    return CSS(filename=str(path), url_fetcher=url_fetcher, font_config=font_config)


def render_html_documents(
    html_pages: Iterable[str], font_config: FontConfiguration | None = None, stylesheet: CSS | None = None
):
    """Lay out each HTML string with the certificate stylesheet; WeasyPrint documents.

    The one path every certificate PDF takes (tests render hostile HTML through it too):
    ``url_fetcher`` for every resource, the shipped fonts, a base URL in ``static/``. Pass the
    same ``font_config`` and ``stylesheet`` to lay out many pages without loading the fonts again.
    """
    font_config = font_config or FontConfiguration()
    stylesheet = stylesheet or _stylesheet(font_config)
    base_url = _stylesheet_path().parent.parent.as_uri() + "/"
    return [
        HTML(string=html, base_url=base_url, url_fetcher=url_fetcher).render(
            stylesheets=[stylesheet], font_config=font_config
        )
        for html in html_pages
    ]


def render_html_pdf(html: str) -> bytes:
    """One HTML string to PDF bytes through the certificates' rendering path."""
    [document] = render_html_documents([html])
    return document.write_pdf(**PDF_OPTIONS)


def _initial_density(member_count: int) -> int:
    return next((density for most, density in DENSITY_BY_MEMBER_COUNT if member_count <= most), SHORTENED_LIST_DENSITY)


def _document(certificate: Certificate, font_config: FontConfiguration, stylesheet: CSS):
    """One certificate laid out on exactly one page: the member list is set tighter until it fits."""
    # A membership certificate names one institution; only the partnership's lists its members.
    listed = 0 if certificate.kind == Certificate.Kind.MEMBERSHIP else len(certificate.snapshot.get("members", []))
    density = _initial_density(listed)
    while True:
        html = render_to_string(TEMPLATE, certificate_context(certificate, density))
        [document] = render_html_documents([html], font_config, stylesheet)
        if len(document.pages) == 1 or density >= MAX_DENSITY:
            if len(document.pages) > 1:
                logger.warning("Certificate %s does not fit one page.", certificate.number)
            return document
        density += 1


def render_batch_pdf(certificates: Iterable[Certificate]) -> bytes:
    """Many certificates as one PDF, one page each, in the given order (for printing a
    partnership's membership certificates at once). Each takes roughly a quarter of a second
    on the reference machine; see docs/performance.md."""
    certificates = list(certificates)
    if not certificates:
        raise CertificateError(_("There are no certificates to print."))
    with translation.override("pl"):
        # One font configuration and stylesheet for all pages: the fonts are loaded once, and
        # embedded once in the result.
        font_config = FontConfiguration()
        stylesheet = _stylesheet(font_config)
        documents = [_document(certificate, font_config, stylesheet) for certificate in certificates]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(**PDF_OPTIONS)


def print_and_store(certificates: list[Certificate]) -> bytes:
    """The certificates as one PDF, as ``render_batch_pdf`` makes it, each laid out once: the
    PDF of each that has none stored is written from the same layout and stored too."""
    if not certificates:
        raise CertificateError(_("There are no certificates to print."))
    with translation.override("pl"):
        font_config = FontConfiguration()
        stylesheet = _stylesheet(font_config)
        documents = []
        for certificate in certificates:
            document = _document(certificate, font_config, stylesheet)
            if not certificate.pdf:
                _store(certificate, document.write_pdf(**PDF_OPTIONS))
            documents.append(document)
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(**PDF_OPTIONS)


def join_pdfs(names: list[str]) -> bytes:
    """The PDFs stored under ``names`` (in the media storage) joined into one, in that order
    (pypdf): the parts of a large printing job, each with its fonts embedded once."""
    writer = PdfWriter()
    for name in names:
        with default_storage.open(name, "rb") as stream:
            writer.append(PdfReader(io.BytesIO(stream.read())))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 landscape PDF, in Polish, from its snapshot alone."""
    return render_batch_pdf([certificate])


# Stored PDFs: rendered once per status, then served from the media storage


def _store_pdfs_after_commit(certificates: Iterable[Certificate], discarded: Iterable[str] = ()) -> None:
    """Once the calling transaction commits, delete the ``discarded`` files and render and store
    the PDFs of ``certificates`` that still have none.

    After the commit, so that WeasyPrint (a tenth to half a second a certificate) never runs
    while the number sequence is locked, and renders only what was committed. Inside a
    transaction that rolls back, nothing happens. A render that fails is logged and leaves the
    certificate without a stored PDF, which ``pdf_file`` then renders on the first request.
    """
    pks = [certificate.pk for certificate in certificates]
    names = [name for name in discarded if name]

    # A function rather than a functools.partial: Django names a failed robust callback in
    # its log by __qualname__, which a partial lacks.
    def store_certificate_pdfs() -> None:
        _replace_stored_pdfs(pks, names)

    transaction.on_commit(store_certificate_pdfs, robust=True)


def _replace_stored_pdfs(pks: list[int], discarded: list[str]) -> None:
    storage = Certificate._meta.get_field("pdf").storage
    for name in discarded:
        storage.delete(name)
    store_pdfs(Certificate.objects.filter(pk__in=pks, pdf="").order_by("pk"))


def store_pdfs(certificates: Iterable[Certificate]) -> None:
    """Render the certificates as they stand and store each PDF in place of the one it had.

    The fonts and the stylesheet are loaded once for all of them (as ``render_batch_pdf``
    does), then each page is written as a PDF of its own and saved under a new unguessable
    name; the file it replaces is deleted.
    """
    certificates = list(certificates)
    if not certificates:
        return
    with translation.override("pl"):
        font_config = FontConfiguration()
        stylesheet = _stylesheet(font_config)
        for certificate in certificates:
            _store(certificate, _document(certificate, font_config, stylesheet).write_pdf(**PDF_OPTIONS))


def _store(certificate: Certificate, pdf: bytes) -> bool:
    """Save ``pdf`` under a new name and point the row at it, if the row still has the status
    and the stored file it had when ``certificate`` was read; True when it did.

    A compare-and-swap in one ``UPDATE``: of two requests that render the same certificate at
    once, one file is kept and the other deleted, and a PDF rendered just before a revocation
    never replaces the revoked one. An ``UPDATE`` of the field alone, so storing a rendition
    writes no history row and starts no new data generation (nothing public changed).
    """
    previous, status = certificate.pdf.name or "", certificate.status
    certificate.pdf.save("certificate.pdf", ContentFile(pdf), save=False)
    storage, name = certificate.pdf.storage, certificate.pdf.name
    if Certificate.objects.filter(pk=certificate.pk, status=status, pdf=previous).update(pdf=name):
        if previous:
            storage.delete(previous)
        return True
    storage.delete(name)
    certificate.refresh_from_db(fields=["status", "pdf"])
    return False


def pdf_file(certificate: Certificate) -> File:
    """The certificate's PDF, to serve: the stored file opened from storage (no rendering).

    When there is none, or its file is missing (certificates issued before PDFs were kept, a
    render that failed after issue, a lost file), it is rendered now and stored, so that each
    status is rendered once; the file returned is then the one just rendered.
    """
    if certificate.pdf:
        try:
            return certificate.pdf.storage.open(certificate.pdf.name, "rb")
        except FileNotFoundError:
            logger.warning("The stored PDF of certificate %s is missing; rendering it again.", certificate.number)
    pdf = render_pdf(certificate)
    _store(certificate, pdf)
    return ContentFile(pdf, name="certificate.pdf")
