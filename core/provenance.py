"""Numbered references for a page: which source or staff judgement each shown fact rests on.

``References(records)`` reads the citations and judgements of the records a page shows (one
query, whatever their number) and numbers the sources in the order they are first cited, one
number per source on the page, as a printed article does. The template tag ``cite`` writes a
fact's markers ("[1]", "[ocena redakcji]"); ``includes/sources.html`` lists what they point to.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Model, Q, Value

from .models import Citation, Judgement, Source


@dataclass
class Reference:
    number: int
    source: Source
    quotes: list[str] = field(default_factory=list)


@dataclass
class Note:
    number: int
    judgement: Judgement


def _key(record: Model) -> tuple[int, int]:
    return ContentType.objects.get_for_model(record).pk, record.pk


class References:
    """The sources and judgements of ``records``, numbered for one page."""

    def __init__(self, records: Iterable[Model]) -> None:
        by_type: dict[int, set[int]] = defaultdict(set)
        for record in records:
            if record is not None and record.pk is not None:
                content_type, pk = _key(record)
                by_type[content_type].add(pk)
        self.references: list[Reference] = []
        self.notes: list[Note] = []
        self._citations: dict[tuple[int, int, str], list[Reference]] = defaultdict(list)
        self._judgements: dict[tuple[int, int, str], list[Note]] = defaultdict(list)
        if not by_type:
            return
        condition = Q()
        for content_type, pks in by_type.items():
            condition |= Q(content_type_id=content_type, object_id__in=pks)
        by_source: dict[int, Reference] = {}
        for citation, judgement in _citations_and_judgements(condition):
            if judgement is not None:
                note = Note(len(self.notes) + 1, judgement)
                self.notes.append(note)
                self._judgements[judgement.content_type_id, judgement.object_id, judgement.field].append(note)
                continue
            reference = by_source.get(citation.source_id)
            if reference is None:
                reference = by_source[citation.source_id] = Reference(len(by_source) + 1, citation.source)
                self.references.append(reference)
            if citation.quote and citation.quote not in reference.quotes:
                reference.quotes.append(citation.quote)
            slot = self._citations[citation.content_type_id, citation.object_id, citation.field]
            if reference not in slot:
                slot.append(reference)

    def sources_of(self, record: Model, field_name: str = "") -> list[Reference]:
        if record is None or record.pk is None:
            return []
        return self._citations.get((*_key(record), field_name), [])

    def judgements_of(self, record: Model, field_name: str = "") -> list[Note]:
        if record is None or record.pk is None:
            return []
        return self._judgements.get((*_key(record), field_name), [])

    def has_sources(self, record: Model) -> bool:
        """Whether any fact of ``record`` rests on a source."""
        content_type, pk = _key(record)
        return any(key[0] == content_type and key[1] == pk for key in self._citations)

    def __bool__(self) -> bool:
        return bool(self.references or self.notes)


def _field(model: type[Model], path: str):
    """The model field at the end of ``path`` ("source__title")."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


# The one row shape of ``_citations_and_judgements``: each column with its path in a citation
# row and in a judgement row; None where a table has no such column.
_SOURCE_FIELDS = [f.attname for f in Source._meta.concrete_fields if f.attname != "id"]
_COLUMNS: dict[str, tuple[str | None, str | None]] = {
    **{name: (name, name) for name in ("id", "content_type_id", "object_id", "field")},
    **{name: (name, None) for name in ("source_id", "quote", "page")},
    **{f"source__{name}": (f"source__{name}", None) for name in _SOURCE_FIELDS},
    **{name: (None, name) for name in ("statement", "reason", "made_by", "made_on")},
}


def _half(model: type[Model], condition: Q, which: int):
    """The rows of ``model`` in the union: its own columns, NULL (typed as the other table's
    field, so that both halves agree) in the others'; annotated names, which may not be a
    field's, start with "r_"."""
    other = Judgement if model is Citation else Citation
    columns = {"r_is_judgement": Value(model is Judgement)}
    for name, paths in _COLUMNS.items():
        own, theirs = paths[which], paths[1 - which]
        columns[f"r_{name}"] = F(own) if own else Value(None, output_field=_field(other, theirs))
    return model.objects.filter(condition).order_by().annotate(**columns).values(*columns)


def _citations_and_judgements(condition: Q) -> list[tuple[Citation | None, Judgement | None]]:
    """The citations (with their sources) and then the judgements matching ``condition``, each
    in the order it was recorded: one query, a UNION of the two tables. Each row is
    (citation, None) or (None, judgement)."""
    rows = _half(Citation, condition, 0).union(_half(Judgement, condition, 1), all=True)
    result = []
    for row in rows.order_by("r_is_judgement", "r_id"):
        values = {name: row[f"r_{name}"] for name in _COLUMNS}
        if row["r_is_judgement"]:
            result.append((None, Judgement(**{n: v for n, v in values.items() if _COLUMNS[n][1]})))
            continue
        citation = Citation(**{n: v for n, v in values.items() if _COLUMNS[n][0] and "__" not in n})
        citation.source = Source(id=citation.source_id, **{n[8:]: v for n, v in values.items() if "__" in n})
        result.append((citation, None))
    return result
