"""Numbered references for a page: which source or staff judgement each shown fact rests on.

``References(records)`` reads the citations and judgements of the records a page shows (two
queries, whatever their number) and numbers the sources in the order they are first cited, one
number per source on the page, as a printed article does. The template tag ``cite`` writes a
fact's markers ("[1]", "[ocena redakcji]"); ``includes/sources.html`` lists what they point to.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q

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
        for citation in Citation.objects.filter(condition).select_related("source").order_by("pk"):
            reference = by_source.get(citation.source_id)
            if reference is None:
                reference = by_source[citation.source_id] = Reference(len(by_source) + 1, citation.source)
                self.references.append(reference)
            if citation.quote and citation.quote not in reference.quotes:
                reference.quotes.append(citation.quote)
            slot = self._citations[citation.content_type_id, citation.object_id, citation.field]
            if reference not in slot:
                slot.append(reference)
        for judgement in Judgement.objects.filter(condition).order_by("pk"):
            note = Note(len(self.notes) + 1, judgement)
            self.notes.append(note)
            self._judgements[judgement.content_type_id, judgement.object_id, judgement.field].append(note)

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
