"""The XLSX template staff download to fill in: the import's columns with Polish headers, a
sheet that explains each column, and drop-down lists (data validation) for the kinds,
statuses, who stated them, stages, what a founding date marks and roles, so that a cell holds
what the import reads."""

import io

from django.utils import translation
from django.utils.translation import gettext as _

from members.models import Institution

from .models import Membership, Partnership
from .resources import ChoiceWidget, InstitutionResource, PartnershipResource, RegistryResource

LIST_ROWS = 5000  # the rows the drop-down lists reach


def explanations() -> dict[str, str]:
    """What each column holds, by its key; shown in the template and written in docs/import.md."""
    return {
        "slug": _("Leave empty for a new record (it is made from the name); keep it as exported to update one."),
        "name": _("Required. A partnership without a slug is matched by its name within its home voivodeship."),
        "status": _("Choose from the list; empty: unknown. A known status needs the date as of which it was stated."),
        "status_stated_on": _(
            "The date as of which the status was stated (the source's date, or the day you checked it): "
            "28.10.2014, 2014-10-28, 10.2014 or 2014. Required with a known status."
        ),
        "status_stated_by": _("Choose from the list; empty: the staff of the regional centre (you)."),
        "stage": _("Choose from the list, or leave empty."),
        "founded": _("28.10.2014, 2014-10-28 or a date cell; 10.2014 for a month; 2010 for a year alone."),
        "founding_kind": _(
            "Choose from the list: whether the date marks the founding or only the start of building the "
            "partnership; empty: the founding."
        ),
        "home_voivodeship_teryt": _("Two digits, e.g. 14 for mazowieckie; empty: your own voivodeship."),
        "area_county_teryt": _("Four-digit codes or names of counties, separated by |, e.g. 1416|1412."),
        "area_commune_teryt": _("Seven-digit codes or names of communes, separated by |."),
        "declared_member_count": _("When a source gives only the number of members."),
        "target_groups": _("Names from the registry's list, separated by |."),
        "thematic_areas": _("Names from the registry's list, separated by |."),
        "project": _("The name of a project already in the registry, or empty."),
        "website": _("An address beginning with https://."),
        "last_verified_on": _("The date a person last checked the record."),
        "member_slug": _("One row per member: the partnership's columns are repeated in each."),
        "member_name": _("The member institution's name; an existing one is found by NIP, REGON, KRS or slug."),
        "member_kind": _("Choose from the list; needed for a new institution."),
        "member_nip": _("Ten digits, dashes and spaces allowed."),
        "member_regon": _("Nine or fourteen digits."),
        "member_krs": _("Up to ten digits; leading zeros are added."),
        "member_commune_teryt": _("Seven digits; or give the commune's name and the voivodeship."),
        "member_commune": _("The commune's name, if its TERYT code is not given."),
        "member_voivodeship": _("The voivodeship's name or two-digit code, with the commune's name."),
        "member_country": _("PL, or the ISO code of a foreign member's country (then no commune)."),
        "member_role": _("Choose from the list; empty: partner."),
        "member_joined_on": _("A date, or empty."),
        "member_left_on": _("A date, or empty for a current member."),
        "short_name": _("An acronym such as MOPS, or empty."),
        "kind": _("Choose from the list."),
        "nip": _("Ten digits, dashes and spaces allowed."),
        "regon": _("Nine or fourteen digits."),
        "krs": _("Up to ten digits; leading zeros are added."),
        "commune_teryt": _("Seven digits; or give the commune's name and the voivodeship."),
        "commune": _("The commune's name, if its TERYT code is not given."),
        "voivodeship": _("The voivodeship's name or two-digit code, with the commune's name."),
        "country": _("PL, or the ISO code of a foreign institution's country (then no commune)."),
        "address": _("Street and number, postcode, town."),
        "email": _("The institution's public address, never a person's."),
        "phone": _("The institution's public number."),
    }


def template_workbook() -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    with translation.override("pl"):
        book = openpyxl.Workbook()
        book.remove(book.active)
        lists = {}
        choices = {
            "status": Partnership.Status.choices,
            "status_stated_by": Partnership.StatusStatedBy.choices,
            "stage": Partnership.Stage.choices,
            "founding_kind": Partnership.FoundingKind.choices,
            "kind": Institution.Kind.choices,
            "role": Membership.Role.choices,
        }
        sheets = [(_("partnerships"), PartnershipResource()), (_("institutions"), InstitutionResource())]
        for title, resource in sheets:
            sheet = book.create_sheet(str(title))
            _header(sheet, resource, Font, get_column_letter)
        values = book.create_sheet(_("lists"))
        for column, (name, options) in enumerate(choices.items(), start=1):
            values.cell(1, column, name)
            for row, (_stored, label) in enumerate(options, start=2):
                values.cell(row, column, str(label))
            letter = get_column_letter(column)
            lists[name] = f"'{values.title}'!${letter}$2:${letter}${len(options) + 1}"
        values.sheet_state = "hidden"
        for (_title, resource), sheet in zip(sheets, book.worksheets, strict=False):
            for index, field in enumerate(resource.get_export_fields(), start=1):
                if not isinstance(field.widget, ChoiceWidget):
                    continue
                name = field.attribute.removeprefix("member_")
                validation = DataValidation(type="list", formula1=lists[name], allow_blank=True)
                validation.error = _("Choose a value from the list.")
                validation.errorTitle = _("Not on the list")
                validation.showErrorMessage = True
                sheet.add_data_validation(validation)
                letter = get_column_letter(index)
                validation.add(f"{letter}2:{letter}{LIST_ROWS}")
        notes = book.create_sheet(_("explanations"), 0)
        notes.append([_("sheet"), _("column"), _("what to write")])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        texts = explanations()
        for title, resource in sheets:
            for field, header in zip(resource.get_export_fields(), resource.headers(), strict=True):
                notes.append([str(title), header, texts.get(field.attribute, "")])
        notes.column_dimensions["B"].width = 40
        notes.column_dimensions["C"].width = 100
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()


def _header(sheet, resource: RegistryResource, font, get_column_letter) -> None:
    sheet.append(resource.headers())
    for index, cell in enumerate(sheet[1], start=1):
        cell.font = font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(str(cell.value)) + 2)
    sheet.freeze_panes = "A2"
    # Codes and numbers typed as text keep their leading zeros.
    for field, letter in zip(
        resource.get_export_fields(), [get_column_letter(i) for i in range(1, len(resource.headers()) + 1)], strict=True
    ):
        if any(word in field.attribute for word in ("teryt", "nip", "regon", "krs")):
            sheet.column_dimensions[letter].number_format = "@"
