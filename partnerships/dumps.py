"""Dated full dumps of the public registry: every partnership, institution, event, project,
membership and cited source, as zipped CSV and as JSON, with a manifest of row counts and
SHA-256 checksums (``manage.py publish_dumps``; docs/open-data.md).

Layout in storage (``dump_storage()``: ``STORAGES["dumps"]`` when configured, else the default
storage, local files or S3 alike; never a path)::

    dumps/2026-12-06/partnerstwa.csv.zip   (holds partnerstwa.csv)
    dumps/2026-12-06/partnerstwa.json
    …
    dumps/2026-12-06/SHA256SUMS            (``sha256sum -c SHA256SUMS`` verifies the day)
    dumps/2026-12-06/manifest.json         (written last: a day without it is not listed)

The rows are those of the open data downloads (each app's ``exports`` module defines the
columns and writes the rows, core.opendata the CSV and JSON), from the public querysets,
read in Polish. Each dataset is read once, streamed, and written to its CSV and its JSON side by
side into temporary files, then stored: memory does not grow with the rows, and the number of
queries is fixed (one per dataset and relation, whatever the number of rows).

``publish`` is a plain function: the background job ``partnerships.tasks.publish_dumps`` calls it,
started from the admin ("Publish the open data dumps") or by the command (which runs the same job
in its own process), and reports its progress in datasets written.
"""

import datetime
import hashlib
import itertools
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage, storages
from django.utils import timezone, translation

from core import opendata
from core.cache import records_changed

FOLDER = "dumps"
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Rejestr Partnerstw Lokalnych",
    # The territorial division (names and TERYT codes) is GUS's, as /dane/ states.
    "territorial_division": "Źródło: GUS, TERYT",
}


@dataclass(frozen=True)
class Dataset:
    """One kind of record in a dump: its file name (Polish, as the downloads'), the key of its
    JSON list, its columns, its rows, and how a row becomes CSV cells and a JSON object (the
    exports' own functions; the identity where a row is already both)."""

    name: str
    records: str
    columns: dict
    rows: Callable[[], Iterator[dict]]
    csv_row: Callable[[dict], dict] = dict
    json_row: Callable[[dict], dict] = dict


def datasets() -> list[Dataset]:
    """Every dataset of a dump, each from its model's public queryset."""
    from events import exports as event_exports
    from events.models import Event, Project
    from members import exports as institution_exports
    from members.models import Institution

    from . import exports
    from .models import Membership, Partnership

    partnerships = Partnership.objects.public()
    memberships = Membership.objects.filter(partnership__in=partnerships.order_by().values("pk"))
    cited = {
        "partnership": (partnerships, "slug"),
        "institution": (Institution.objects.public(), "slug"),
        "event": (Event.objects.public(), "slug"),
        "project": (Project.objects.public(), "slug"),
        "membership": (memberships, "partnership__slug"),
    }
    return [
        Dataset(
            "partnerstwa",
            "partnerships",
            exports.COLUMNS,
            # An order by field names: the export walks its relations' streams in the same order.
            lambda: exports.rows(partnerships.order_by("pk")),
            # The two forms replace lists of the row, never change them: a shallow copy each.
            csv_row=lambda row: exports.flat_row(dict(row)),
            json_row=lambda row: exports.json_row(dict(row)),
        ),
        Dataset(
            "instytucje",
            "institutions",
            institution_exports.COLUMNS,
            lambda: institution_exports.rows(Institution.objects.public().order_by("pk")),
        ),
        Dataset(
            "wydarzenia",
            "events",
            event_exports.COLUMNS,
            lambda: event_exports.rows(Event.objects.public().order_by("pk")),
        ),
        Dataset(
            "projekty",
            "projects",
            event_exports.PROJECT_COLUMNS,
            lambda: event_exports.project_rows(Project.objects.public().order_by("pk")),
        ),
        Dataset(
            "czlonkostwa",
            "memberships",
            exports.MEMBERSHIP_COLUMNS,
            lambda: exports.membership_rows(memberships.order_by("pk")),
        ),
        Dataset("zrodla", "sources", exports.SOURCE_COLUMNS, lambda: exports.source_rows(cited)),
    ]


def dump_storage() -> Storage:
    """Where dumps are kept: a storage of their own when ``STORAGES`` names one "dumps" (a public
    bucket, say), else the default storage."""
    return storages["dumps"] if "dumps" in settings.STORAGES else default_storage


class _Digest:
    """A binary file that counts and hashes what is written to it."""

    def __init__(self, file) -> None:
        self.file = file
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.sha256.update(data)
        self.bytes += len(data)


def _file_sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


# Rows between two calls of ``publish``'s ``progress`` within a dataset: a large one (300,000
# memberships) still shows its job alive to whoever looks for stopped workers (core.jobs).
HEARTBEAT_ROWS = 10_000


def _write(dataset: Dataset, workdir: Path, heartbeat: Callable[[], None] = lambda: None) -> list[dict]:
    """The dataset's zipped CSV and JSON in ``workdir``; their manifest entries.

    The rows are read once: the CSV and the JSON consume them side by side, block by block
    (core.opendata.in_blocks), so ``tee`` holds at most a block of rows between the two."""
    count = 0

    def counted(rows: Iterable[dict]) -> Iterator[dict]:
        nonlocal count
        for row in rows:
            count += 1
            if not count % HEARTBEAT_ROWS:
                heartbeat()
            yield row

    for_csv, for_json = itertools.tee(counted(dataset.rows()))
    csv_blocks = opendata.in_blocks(opendata.csv_pieces(dataset.columns, map(dataset.csv_row, for_csv)))
    json_blocks = opendata.in_blocks(opendata.json_pieces(dataset.records, map(dataset.json_row, for_json)))
    csv_name, zip_path, json_path = (
        f"{dataset.name}.csv",
        workdir / f"{dataset.name}.csv.zip",
        workdir / f"{dataset.name}.json",
    )
    with (
        zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        # force_zip64: the size is not known before it is written, and may pass 2 GB.
        archive.open(csv_name, "w", force_zip64=True) as inner,
        json_path.open("wb") as json_file,
    ):
        csv_out, json_out = _Digest(inner), _Digest(json_file)
        for csv_block, json_block in itertools.zip_longest(csv_blocks, json_blocks, fillvalue=""):
            csv_out.write(csv_block.encode())
            json_out.write(json_block.encode())
    common = {"dataset": dataset.records, "rows": count}
    return [
        {
            "name": zip_path.name,
            "format": "csv.zip",
            **common,
            "bytes": zip_path.stat().st_size,
            "sha256": _file_sha256(zip_path),
            # The CSV inside, as unzipped: what a reader checks after unpacking.
            "contents": [{"name": csv_name, "bytes": csv_out.bytes, "sha256": csv_out.sha256.hexdigest()}],
        },
        {
            "name": json_path.name,
            "format": "json",
            **common,
            "bytes": json_out.bytes,
            "sha256": json_out.sha256.hexdigest(),
        },
    ]


def folder_of_date(date: str) -> str:
    """The folder of the dump of ``date`` (ISO 8601) in storage."""
    return f"{FOLDER}/{date}"


def publish(
    *,
    keep: int,
    storage: Storage | None = None,
    day: datetime.date | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict:
    """Write the dump of ``day`` (today) into ``storage``, replacing that day's earlier one, and
    keep only the newest ``keep`` days; the manifest. ``progress(done, total)`` is told how many
    steps are done: one per dataset, and the storing of the files as the last; within a large
    dataset it is told again every ``HEARTBEAT_ROWS`` rows, the same number.

    Every file is written to temporary files first; only then does an earlier dump of the same
    day give way, so a failure midway leaves the stored dumps as they were."""
    if keep < 1:
        raise ValueError("keep at least one dump")
    storage = storage or dump_storage()
    day = day or timezone.localdate()
    folder = folder_of_date(day.isoformat())
    with tempfile.TemporaryDirectory(prefix="rejestr-dumps-") as workdir, translation.override("pl"):
        all_datasets = datasets()
        total = len(all_datasets) + 1
        entries = []
        progress(0, total)
        for done, dataset in enumerate(all_datasets):
            entries += _write(dataset, Path(workdir), heartbeat=lambda done=done: progress(done, total))
            progress(done + 1, total)
        manifest = {
            "date": day.isoformat(),
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "licence": LICENCE,
            "files": entries,
        }
        _delete_folder(storage, folder)
        for entry in entries:
            with (Path(workdir) / entry["name"]).open("rb") as file:
                _save(storage, f"{folder}/{entry['name']}", File(file))
        sums = "".join(f"{entry['sha256']}  {entry['name']}\n" for entry in entries)
        _save(storage, f"{folder}/{CHECKSUMS}", ContentFile(sums.encode()))
        # Last: a day is listed only once its manifest is there, so never half-written.
        body = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        _save(storage, f"{folder}/{MANIFEST}", ContentFile(body.encode()))
    prune(storage, keep)
    progress(total, total)
    # /dane/ lists the dumps, and the page cache keeps /dane/ per data generation.
    records_changed.send(sender=None)
    return manifest


def _save(storage: Storage, name: str, content) -> None:
    saved = storage.save(name, content)
    if saved != name:
        # A storage that keeps an existing file and renames the new one (the day's folder was
        # emptied just before): the manifest would name a file that is not there.
        raise RuntimeError(f"the storage saved {name} as {saved}")


def _delete_folder(storage: Storage, folder: str) -> None:
    try:
        _directories, files = storage.listdir(folder)
    except FileNotFoundError:  # local files: no such folder
        return
    # The manifest first: a day without it is no longer listed while the rest goes.
    for name in sorted(files, key=lambda name: name != MANIFEST):
        storage.delete(f"{folder}/{name}")
    # Local files leave the empty directory; an object store has none (it names no object).
    if storage.exists(folder):
        storage.delete(folder)


def _dates(storage: Storage) -> list[str]:
    """The dates of the dumps in storage, newest first."""
    try:
        folders, _files = storage.listdir(FOLDER)
    except FileNotFoundError:
        return []
    return sorted((name for name in folders if DATE.match(name)), reverse=True)


def prune(storage: Storage, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` days; the dates deleted."""
    old = _dates(storage)[keep:]
    for date in old:
        _delete_folder(storage, f"{FOLDER}/{date}")
    return old


def published(storage: Storage | None = None) -> list[dict]:
    """The manifests of the stored dumps, newest first. A day without a readable manifest (being
    written, or damaged) is left out."""
    storage = storage or dump_storage()
    manifests = []
    for date in _dates(storage):
        try:
            with storage.open(f"{FOLDER}/{date}/{MANIFEST}", "rb") as file:
                manifest = json.load(file)
        except (FileNotFoundError, ValueError):
            continue
        if isinstance(manifest, dict) and manifest.get("date") == date and isinstance(manifest.get("files"), list):
            manifests.append(manifest)
    return manifests


def file_names() -> set[str]:
    """Every name a day's folder may hold: what the download view serves, and nothing else."""
    names = {MANIFEST, CHECKSUMS}
    for dataset in datasets():
        names |= {f"{dataset.name}.csv.zip", f"{dataset.name}.json"}
    return names
