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
from django.db import connection
from django.db.models import Model

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
        by_source: dict[int, Reference] = {}
        for citation, judgement in _citations_and_judgements(by_type):
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


# The one row shape of ``_citations_and_judgements``: what a citation row holds (with its
# source's columns), then what a judgement row holds; each row leaves the other's empty.
_CITATION = [Citation._meta.get_field(name) for name in ("source", "quote", "page")]
_SOURCE = [f for f in Source._meta.concrete_fields if not f.primary_key]
_JUDGEMENT = [Judgement._meta.get_field(name) for name in ("statement", "reason", "made_by", "made_on")]
_SHARED = ("id", "content_type_id", "object_id", "field")


def _citations_and_judgements(by_type: dict[int, set[int]]) -> list[tuple[Citation | None, Judgement | None]]:
    """The citations (with their sources) and then the judgements of the records ``by_type``
    (content type id -> record ids), each in the order it was recorded: one query, a UNION of
    the two tables. Each row is (citation, None) or (None, judgement).

    Written as SQL: the same UNION built by the ORM, with its twenty annotated columns, cost
    more to build (1.3 ms) than the second query it saves."""
    quote = connection.ops.quote_name

    def where(table: str) -> tuple[str, list]:
        conditions, params = [], []
        for content_type, pks in sorted(by_type.items()):
            marks = ", ".join(["%s"] * len(pks))
            conditions.append(f"({table}.content_type_id = %s AND {table}.object_id IN ({marks}))")
            params += [content_type, *sorted(pks)]
        return " OR ".join(conditions), params

    def columns(table: str, fields) -> list[str]:
        return [f"{table}.{quote(f.column)}" for f in fields]

    shared = ", ".join(f"{{t}}.{quote(name)}" for name in _SHARED)
    nulls = lambda fields: ["NULL"] * len(fields)  # noqa: E731
    citation_where, citation_params = where("c")
    judgement_where, judgement_params = where("j")
    # Only the models' own table and column names and placeholders go into the text.
    sql = (
        f"SELECT 0, {shared.format(t='c')}, "  # noqa: S608
        + ", ".join(columns("c", _CITATION) + columns("s", _SOURCE) + nulls(_JUDGEMENT))
        + f" FROM {quote(Citation._meta.db_table)} c JOIN {quote(Source._meta.db_table)} s ON s.id = c.source_id"
        + f" WHERE {citation_where}"
        + f" UNION ALL SELECT 1, {shared.format(t='j')}, "
        + ", ".join(nulls(_CITATION) + nulls(_SOURCE) + columns("j", _JUDGEMENT))
        + f" FROM {quote(Judgement._meta.db_table)} j WHERE {judgement_where}"
        + " ORDER BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, citation_params + judgement_params)
        rows = cursor.fetchall()
    result = []
    citation_end = 5 + len(_CITATION)
    source_end = citation_end + len(_SOURCE)
    for row in rows:
        # The database's values as the model's fields take them (a date is text on SQLite).
        ids = dict(zip(_SHARED, row[1:5], strict=True))
        if row[0]:
            own = zip(_JUDGEMENT, row[source_end:], strict=True)
            result.append((None, Judgement(**ids, **{f.attname: f.to_python(v) for f, v in own})))
            continue
        own = zip(_CITATION, row[5:citation_end], strict=True)
        citation = Citation(**ids, **{f.attname: f.to_python(v) for f, v in own})
        source = zip(_SOURCE, row[citation_end:source_end], strict=True)
        citation.source = Source(id=citation.source_id, **{f.attname: f.to_python(v) for f, v in source})
        result.append((citation, None))
    return result
