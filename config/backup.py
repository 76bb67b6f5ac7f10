"""Backups of the whole registry, database and uploaded media together, and their restoration.

An archive is one tar.gz file whose members come in this order:

- ``manifest.json``: format version, when and with which Django and database it was made, the
  migrations applied per app (as ``django_migrations`` records them), the number of rows per
  model, and the size and SHA-256 of the data and of every media file;
- ``manifest.sig``: an HMAC-SHA256 of the manifest with ``BACKUP_SIGNING_KEY``: the manifest
  holds the checksum of everything else, so an archive edited and re-hashed by someone without
  the key is refused before anything is read from it;
- ``data.jsonl``: every row of every model but sessions, one JSON object a line (Django's
  ``jsonl`` serializer), historical tables, users, permissions, content types and the admin
  log included. Primary keys are kept, and many-to-many links are rows of their through
  tables, so that nothing has to be looked up or recreated when they are loaded;
- ``media/<name>``: every regular file under ``MEDIA_ROOT``.

``create_backup(path)`` writes one; ``restore_backup(path)`` checks all of it first, then
replaces the database contents in one transaction and, once that is committed, swaps the
media directory; ``read_manifest(path)`` reads only the manifest. They raise ``BackupError``
with a message for the person running them. See docs/backup.md.
"""

import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLSerializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.cache import records_changed

FORMAT = "rejestr-partnerstw-lokalnych-backup"
FORMAT_VERSION = 2
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
SIGNATURE_SALT = "config.backup.manifest"
DATA_NAME = "data.jsonl"
MEDIA_PREFIX = "media/"
# Sessions are not records: restored, they would log people in to accounts of another moment.
EXCLUDED_MODELS = frozenset({"sessions.session"})
# A manifest lists every media file in about 150 bytes; this allows for a few hundred thousand.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024
ROWS_PER_QUERY = 2000
ROWS_PER_INSERT = 500
CHUNK_BYTES = 1024 * 1024
# Media are PDFs and images, compressed already; a higher level costs time and saves little.
COMPRESS_LEVEL = 6
NAMES_SHOWN = 10


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, for the person running it."""


@dataclass(frozen=True)
class MediaFile:
    name: str  # relative to MEDIA_ROOT, with "/" between folders
    size: int
    sha256: str


@dataclass
class Manifest:
    """What an archive holds, as its ``manifest.json`` says."""

    created_at: datetime.datetime
    django_version: str
    database_vendor: str
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    data_size: int
    data_sha256: str
    media: list[MediaFile]
    # The largest primary key each table has handed out, deleted rows' included: after a
    # restore no new row takes the key of a deleted one, which its history still names.
    last_ids: dict[str, int] = field(default_factory=dict)
    # Entries of MEDIA_ROOT left out because they are not regular files (links, sockets, …).
    media_skipped: list[str] = field(default_factory=list)
    format_version: int = FORMAT_VERSION

    @property
    def record_count(self) -> int:
        return sum(self.counts.values())

    @property
    def media_bytes(self) -> int:
        return sum(item.size for item in self.media)

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": self.format_version,
            "created_at": self.created_at.isoformat(),
            "django_version": self.django_version,
            "database_vendor": self.database_vendor,
            "migrations": self.migrations,
            "counts": self.counts,
            "last_ids": self.last_ids,
            "data": {"name": DATA_NAME, "size": self.data_size, "sha256": self.data_sha256},
            "media": [{"name": item.name, "size": item.size, "sha256": item.sha256} for item in self.media],
            "media_skipped": self.media_skipped,
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        """Parse and check a manifest; ``BackupError`` when it is not one this version can read."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise BackupError(_("The manifest of the archive is not readable: it is not valid JSON.")) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(_("This file is not a backup of the registry: its manifest is of another kind."))
        # The version is checked before anything else: a newer format may have other fields.
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise BackupError(
                _(
                    "The archive is in backup format version %(version)s; this version of the registry "
                    "reads version %(known)s only. Restore it with the version of the registry that made it."
                )
                % {"version": _printable(str(version)), "known": FORMAT_VERSION}
            )
        try:
            media = [
                MediaFile(_text(item["name"]), _count(item["size"]), _digest(item["sha256"]))
                for item in _typed(data["media"], list)
            ]
            manifest = cls(
                created_at=datetime.datetime.fromisoformat(_text(data["created_at"])),
                django_version=_text(data["django_version"]),
                database_vendor=_text(data["database_vendor"]),
                migrations={
                    _text(app): sorted(_text(name) for name in _typed(names, list))
                    for app, names in _typed(data["migrations"], dict).items()
                },
                counts={_text(label): _count(number) for label, number in _typed(data["counts"], dict).items()},
                data_size=_count(data["data"]["size"]),
                data_sha256=_digest(data["data"]["sha256"]),
                media=media,
                last_ids={_text(label): _count(number) for label, number in _typed(data["last_ids"], dict).items()},
                media_skipped=[_text(name) for name in _typed(data.get("media_skipped", []), list)],
            )
        except (KeyError, TypeError, ValueError):
            raise BackupError(_("The manifest of the archive is incomplete or damaged; nothing was changed.")) from None
        names = [item.name for item in media]
        if len(set(names)) != len(names) or not all(_is_safe_path(name) for name in names):
            raise BackupError(
                _("The manifest of the archive lists a media file twice or at an unsafe path; nothing was changed.")
            )
        return manifest


def _typed(value, kind):
    if not isinstance(value, kind):
        raise TypeError
    return value


def _text(value) -> str:
    return _typed(value, str)


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError
    return value


def _digest(value) -> str:
    value = _text(value)
    if len(value) != 64 or value.strip("0123456789abcdef"):
        raise ValueError
    return value


def _printable(text: str, limit: int = 200) -> str:
    """A name from an archive, safe to print: a crafted one could carry terminal escapes."""
    return "".join(c if c.isprintable() else "?" for c in text)[:limit]


def _is_safe_path(name: str) -> bool:
    """A relative path of plain names: no root, no "..", no empty or "." part, no backslash."""
    if not name or "\\" in name or "\x00" in name or PurePosixPath(name).is_absolute():
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root() -> Path:
    # Resolved, so that a MEDIA_ROOT that is a symbolic link has its target replaced, not the link.
    return Path(os.path.realpath(settings.MEDIA_ROOT))


def backed_up_models(using: str = DEFAULT_DB_ALIAS) -> list:
    """Every model whose rows an archive holds: all apps', through tables of many-to-many
    relations included, in the order of INSTALLED_APPS; not sessions, proxies or unmanaged models."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in EXCLUDED_MODELS
        and not model._meta.proxy
        and router.allow_migrate_model(using, model)
    ]


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The migrations ``django_migrations`` records as applied, by app, sorted by name."""
    result: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        result.setdefault(app, []).append(name)
    return result


def default_backup_path() -> Path:
    """``var/backups/rejestr-<local date and time>.tar.gz`` under VAR_DIR."""
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"rejestr-{stamp}.tar.gz"


# Writing an archive


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds, as JavaScript keeps them; a backup keeps
    the microseconds, or a restored ``history_date`` would no longer equal the one saved."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _RowSerializer(JSONLSerializer):
    """Rows as they are stored. Many-to-many links are left to the rows of their through tables,
    which are dumped as models of their own: loading them then sends no ``m2m_changed`` signal,
    which would make django-simple-history write new historical rows during a restore."""

    def handle_m2m_field(self, obj, field):
        pass

    def end_object(self, obj):
        # json.dumps, not json.dump: only the one-shot call runs the C encoder, twice as fast.
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = None


@contextmanager
def _read_snapshot(connection) -> Iterator[None]:
    """Every query inside sees the database as it was at one moment, as pg_dump does, so that
    no row of the dump points at a row committed after its table was read."""
    if connection.in_atomic_block:
        # The enclosing transaction already decides what is seen.
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # atomic() would BEGIN IMMEDIATE (the settings' transaction mode) and keep staff from
        # saving anything for the whole backup; a deferred read transaction sees one snapshot
        # of the WAL database and lets writers go on.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:
        with transaction.atomic(using=connection.alias):
            yield


def _dump_rows(stream, using: str) -> dict[str, int]:
    """Write every row to ``stream``, model by model in primary key order; the count per model.
    One query per model and ``ROWS_PER_QUERY`` rows; nothing is held in memory but one chunk."""
    counts: dict[str, int] = {}

    def rows():
        for model in backed_up_models(using):
            label = model._meta.label_lower
            counts[label] = 0
            for obj in model._base_manager.using(using).order_by("pk").iterator(chunk_size=ROWS_PER_QUERY):
                counts[label] += 1
                yield obj

    _RowSerializer().serialize(rows(), stream=stream, cls=_ExactEncoder)
    return counts


def _auto_key_models(using: str) -> list:
    return [model for model in backed_up_models(using) if isinstance(model._meta.pk, models.AutoField)]


def _last_ids(connection) -> dict[str, int]:
    """The last primary key handed out to each table with an automatic key, as SQLite's
    AUTOINCREMENT counter or PostgreSQL's sequence has it (one query per table there)."""
    result = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            counters = dict(cursor.fetchall())
            for model in _auto_key_models(connection.alias):
                if counters.get(model._meta.db_table):
                    result[model._meta.label_lower] = counters[model._meta.db_table]
        elif connection.vendor == "postgresql":
            for model in _auto_key_models(connection.alias):
                cursor.execute(
                    "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, %s)::regclass)",
                    [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column],
                )
                (last,) = cursor.fetchone()
                if last:
                    result[model._meta.label_lower] = last
    return result


def _set_last_ids(connection, last_ids: dict[str, int]) -> None:
    """Set each table's counter of automatic keys to ``last_ids``, so that the next row
    takes the key after it; where the counter is unknown (another database), after the
    largest key in the table."""
    with connection.cursor() as cursor:
        if connection.vendor not in ("sqlite", "postgresql"):
            for statement in connection.ops.sequence_reset_sql(no_style(), _auto_key_models(connection.alias)):
                cursor.execute(statement)
            return
        for model in _auto_key_models(connection.alias):
            table, last = model._meta.db_table, last_ids.get(model._meta.label_lower, 0)
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                if last:
                    cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
            else:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
                    [connection.ops.quote_name(table), model._meta.pk.column, max(last, 1), last > 0],
                )


def _scan_media(root: Path) -> tuple[list[MediaFile], list[str]]:
    """Every regular file under ``root`` with its size and checksum, and what was left out.
    Symbolic links are not followed: one could point at any file of the server."""
    files: list[MediaFile] = []
    skipped: list[str] = []
    if not root.is_dir():
        return files, skipped
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        base = Path(directory)
        for name in subdirectories:
            if (base / name).is_symlink():
                skipped.append((base / name).relative_to(root).as_posix())
        for name in sorted(names):
            path = base / name
            relative, status = path.relative_to(root).as_posix(), path.lstat()
            if not stat.S_ISREG(status.st_mode) or not _is_safe_path(relative):
                skipped.append(relative)
                continue
            files.append(MediaFile(relative, status.st_size, _sha256_of(path)))
    return files, skipped


class _HashingReader:
    def __init__(self, file):
        self.file, self.sha256 = file, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.sha256.update(chunk)
        return chunk


def _add_member(tar: tarfile.TarFile, name: str, file, size: int, sha256: str | None = None) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o644
    reader = _HashingReader(file)
    tar.addfile(info, reader)
    if sha256 is not None and reader.sha256.hexdigest() != sha256:
        raise OSError("changed while it was read")


def _write_archive(path: Path, manifest: Manifest, data_path: Path, media_root: Path) -> None:
    """Write the archive beside ``path`` under a temporary name and give it its name only when
    complete: a backup cut short never looks like one. Readable by its owner only: it holds
    personal data and password hashes."""
    descriptor, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    partial = Path(partial)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESS_LEVEL, format=tarfile.PAX_FORMAT) as tar:
                content = manifest.to_json()
                _add_member(tar, MANIFEST_NAME, io.BytesIO(content), len(content))
                signature = sign_manifest(content)
                _add_member(tar, SIGNATURE_NAME, io.BytesIO(signature), len(signature))
                with data_path.open("rb") as file:
                    _add_member(tar, DATA_NAME, file, manifest.data_size, manifest.data_sha256)
                for item in manifest.media:
                    try:
                        with (media_root / item.name).open("rb") as file:
                            _add_member(tar, MEDIA_PREFIX + item.name, file, item.size, item.sha256)
                    except OSError:
                        raise BackupError(
                            _(
                                "The media file %(name)s changed or disappeared while the backup was being "
                                "written; nothing was saved. Run the backup again."
                            )
                            % {"name": _printable(item.name)}
                        ) from None
            raw.flush()
            os.fsync(raw.fileno())
        try:
            # A link, unlike a rename, never replaces a file that appeared under the name meanwhile.
            os.link(partial, path)
        except FileExistsError:
            raise BackupError(_exists_message(path)) from None
        except OSError:
            # Some file systems have no hard links.
            if path.exists():
                raise BackupError(_exists_message(path)) from None
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _exists_message(path: Path) -> str:
    return _("%(path)s already exists; a backup never overwrites a file.") % {"path": path}


def create_backup(path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Save every row of the database and every file under MEDIA_ROOT into a new archive at
    ``path`` (its folder is created); refuse a path that exists or lies inside MEDIA_ROOT.

    The rows are read in one read-only snapshot transaction, one query per model and
    ``ROWS_PER_QUERY`` rows, and streamed to a temporary file beside the archive; each media
    file is read twice (its checksum for the manifest, which comes first, then its copy).
    Needs free space beside the archive for the uncompressed data.
    """
    path = Path(path).absolute()
    media_root = Path(settings.MEDIA_ROOT)
    if path.exists():
        raise BackupError(_exists_message(path))
    if path.resolve().is_relative_to(_media_root()):
        raise BackupError(_("A backup cannot be written inside the media directory %(media)s.") % {"media": media_root})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, data_path = tempfile.mkstemp(prefix=".data-", suffix=".jsonl", dir=path.parent)
    except OSError as error:
        raise BackupError(
            _("Cannot write in %(folder)s: %(error)s") % {"folder": path.parent, "error": error.strerror or error}
        ) from None
    data_path = Path(data_path)
    connection = connections[using]
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream, _read_snapshot(connection):
            migrations = applied_migrations(using)
            counts = _dump_rows(stream, using)
            last_ids = _last_ids(connection)
        # Only now the files: a row names a file saved before the row was committed, so every
        # file the dumped rows name is on disk already; uploads get new names, never rewritten.
        media, skipped = _scan_media(media_root)
        manifest = Manifest(
            created_at=timezone.now(),
            django_version=django.get_version(),
            database_vendor=connection.vendor,
            migrations=migrations,
            counts=counts,
            last_ids=last_ids,
            data_size=data_path.stat().st_size,
            data_sha256=_sha256_of(data_path),
            media=media,
            media_skipped=skipped,
        )
        _write_archive(path, manifest, data_path, media_root)
    except OSError as error:
        raise BackupError(
            _("The backup could not be written: %(error)s; nothing was saved.") % {"error": error}
        ) from None
    finally:
        data_path.unlink(missing_ok=True)
    return manifest


# Reading and restoring an archive


@contextmanager
def _reading(path: str | os.PathLike) -> Iterator[tarfile.TarFile]:
    """The archive opened for reading; a file that is no archive, or a damaged or truncated one,
    raises ``BackupError`` whenever it shows, on opening or while the members are read."""
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            yield tar
    except FileNotFoundError:
        raise BackupError(_("There is no file %(path)s.") % {"path": path}) from None
    except IsADirectoryError:
        raise BackupError(_("%(path)s is a directory, not a backup archive.") % {"path": path}) from None
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
        raise BackupError(
            _(
                "%(path)s is not a backup archive, or it is damaged or truncated "
                "(it cannot be read as a tar.gz file); nothing was changed."
            )
            % {"path": path}
        ) from None
    except OSError as error:
        raise BackupError(
            _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error.strerror or error}
        ) from None


def _check_member(member: tarfile.TarInfo) -> None:
    name = _printable(member.name)
    if not _is_safe_path(member.name):
        raise BackupError(
            _("The archive holds a file at an unsafe path (%(name)s), outside its own folders; nothing was changed.")
            % {"name": name}
        )
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        raise BackupError(
            _(
                "The archive holds %(name)s, which is not a regular file (a link, a directory or a device); "
                "nothing was changed."
            )
            % {"name": name}
        )


def _read_manifest(tar: tarfile.TarFile) -> Manifest:
    member = tar.next()
    if member is None or member.name != MANIFEST_NAME:
        raise BackupError(
            _(
                "The archive has no manifest (manifest.json as its first file): it is not a backup of the registry, "
                "or it is damaged; nothing was changed."
            )
        )
    _check_member(member)
    if member.size > MAX_MANIFEST_BYTES:
        raise BackupError(_("The manifest of the archive is incomplete or damaged; nothing was changed."))
    content = tar.extractfile(member).read()
    signature = tar.next()
    if signature is not None and signature.name == SIGNATURE_NAME and signature.size <= MAX_SIGNATURE_BYTES:
        _check_member(signature)
        valid = constant_time_compare(tar.extractfile(signature).read(), sign_manifest(content))
    else:
        valid = False
    if not valid:
        raise BackupError(
            _(
                "The manifest of the archive is not signed with this installation's backup key: the archive was "
                "altered, or made by an installation with another key (set BACKUP_SIGNING_KEY to that key). "
                "Nothing was changed."
            )
        )
    return Manifest.from_json(content)


def sign_manifest(content: bytes) -> bytes:
    """The signature of a manifest: an HMAC-SHA256 with ``BACKUP_SIGNING_KEY``, in hex."""
    return (
        salted_hmac(SIGNATURE_SALT, content, secret=settings.BACKUP_SIGNING_KEY, algorithm="sha256")
        .hexdigest()
        .encode()
    )


def read_manifest(path: str | os.PathLike) -> Manifest:
    """The manifest of the archive at ``path``, checked for its format. Reads only the first
    member: the rest of the archive is checked by ``restore_backup``."""
    with _reading(path) as tar:
        return _read_manifest(tar)


def _names(pairs) -> str:
    shown = ", ".join(_printable(f"{app}.{name}") for app, name in pairs[:NAMES_SHOWN])
    if len(pairs) > NAMES_SHOWN:
        shown += " " + _("(and %(count)s more)") % {"count": len(pairs) - NAMES_SHOWN}
    return shown


def check_migrations(manifest: Manifest, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse an archive whose migrations differ in any way from those applied to the database:
    its rows fit that schema only."""
    archived = {(app, name) for app, names in manifest.migrations.items() for name in names}
    here = {(app, name) for app, names in applied_migrations(using).items() for name in names}
    if archived == here:
        return
    differences = []
    if archived - here:
        differences.append(
            _("applied when the backup was made, not in this database: %(names)s")
            % {"names": _names(sorted(archived - here))}
        )
    if here - archived:
        differences.append(
            _("applied in this database, not when the backup was made: %(names)s")
            % {"names": _names(sorted(here - archived))}
        )
    raise BackupError(
        _(
            "The backup was made with other migrations than this database has (%(differences)s). Bring the "
            "database to the backup's migrations first (manage.py migrate, with the version of the registry "
            "that made the backup) and try again; nothing was changed."
        )
        % {"differences": "; ".join(differences)}
    )


def _unpack(tar: tarfile.TarFile, staging: Path, using: str) -> Manifest:
    """Check the whole archive and copy its data and media into ``staging``; the manifest."""
    manifest = _read_manifest(tar)
    check_migrations(manifest, using)
    expected = {MEDIA_PREFIX + item.name: (item.size, item.sha256) for item in manifest.media}
    expected[DATA_NAME] = (manifest.data_size, manifest.data_sha256)
    (staging / "media").mkdir()
    seen = set()
    # next(), not iteration: iterating would start again from the manifest.
    while (member := tar.next()) is not None:
        _check_member(member)
        name = _printable(member.name)
        if member.name not in expected or member.name in seen:
            raise BackupError(
                _("The archive holds %(name)s, which its manifest does not list; nothing was changed.") % {"name": name}
            )
        size, sha256 = expected[member.name]
        target = staging / DATA_NAME if member.name == DATA_NAME else staging / member.name
        if member.size != size:
            raise BackupError(_damaged_member_message(name))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, target.open("xb") as copy:
                digest = hashlib.sha256()
                while chunk := source.read(CHUNK_BYTES):
                    digest.update(chunk)
                    copy.write(chunk)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
            raise  # the archive's own damage, which _reading reports
        except OSError as error:
            raise BackupError(
                _("The archive could not be unpacked beside the media directory (%(error)s); nothing was changed.")
                % {"error": error}
            ) from None
        if digest.hexdigest() != sha256:
            raise BackupError(_damaged_member_message(name))
        seen.add(member.name)
    # What follows is the tar's zero padding; read to its end, gzip checks its length and CRC,
    # so that even an archive cut in its last bytes is refused.
    while tar.fileobj.read(CHUNK_BYTES):
        pass
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            _(
                "The archive is incomplete: %(count)s of its files are missing, among them %(name)s; "
                "nothing was changed."
            )
            % {"count": len(missing), "name": _printable(missing[0])}
        )
    return manifest


def _damaged_member_message(name: str) -> str:
    return _(
        "%(name)s in the archive does not match the checksum or size its manifest gives: the archive is "
        "damaged or was altered; nothing was changed."
    ) % {"name": name}


def _insert_raw(model, objects: list, using: str) -> None:
    """Insert rows as they are: the query ``Model.save_base(raw=True)`` runs (no model
    ``save()``, no ``auto_now`` stamp, files not saved again, primary keys as given), for many
    rows at once and without the save signals, whose receivers would do nothing for raw rows
    anyway (history, counters). A few hundred rows a query: loading one by one, as loaddata
    does, takes ten times as long."""
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    size = max(1, min(ROWS_PER_INSERT, connections[using].ops.bulk_batch_size(fields, objects)))
    for start in range(0, len(objects), size):
        model._base_manager.using(using)._insert(objects[start : start + size], fields=fields, using=using, raw=True)


def _replace_rows(data_path: Path, manifest: Manifest, using: str) -> None:
    """Empty every table and load the archive's rows (see ``_insert_raw``), all in one transaction."""
    connection = connections[using]
    allowed = {model._meta.label_lower for model in backed_up_models(using)}
    with transaction.atomic(using=using, durable=True):
        # PostgreSQL refuses TRUNCATE while foreign key checks deferred earlier in the
        # transaction are pending; there are some only when a test case encloses it.
        connection.check_constraints()
        # What `manage.py flush --inhibit-post-migrate` runs: every table of the project (sessions
        # too), content types and permissions included, which come back with their own keys.
        connection.ops.execute_sql_flush(sql_flush(no_style(), connection, reset_sequences=True))
        loaded, largest = Counter(), Counter()
        pending: list = []
        with data_path.open(encoding="utf-8", newline="\n") as stream:
            for row in _numbered_rows(serializers.deserialize("jsonl", stream, using=using)):
                label = row.object._meta.label_lower
                if pending and (type(row.object) is not type(pending[0]) or len(pending) >= ROWS_PER_QUERY):
                    _insert_raw(type(pending[0]), pending, using)
                    pending = []
                # Many-to-many links come as rows of their through tables; a list inside a row
                # is not from a backup.
                if label not in allowed or row.m2m_data:
                    raise BackupError(
                        _(
                            "The data of the archive hold rows of %(model)s, which a backup never holds; "
                            "the database was left as it was."
                        )
                        % {"model": _printable(label)}
                    )
                pending.append(row.object)
                loaded[label] += 1
                if isinstance(row.object.pk, int):
                    largest[label] = max(largest[label], row.object.pk)
        if pending:
            _insert_raw(type(pending[0]), pending, using)
        if +loaded != +Counter(manifest.counts):
            raise BackupError(
                _(
                    "The data of the archive do not have the number of rows its manifest gives; "
                    "the database was left as it was."
                )
            )
        # Foreign keys are checked at the end of the transaction; checked now, a broken one
        # gives its error here, before the commit.
        connection.check_constraints()
        _set_last_ids(connection, {label: max(largest[label], manifest.last_ids.get(label, 0)) for label in allowed})
        # The rows went in without model signals: cached pages are dropped once, at the commit.
        records_changed.send(sender=None)


class _RowError(Exception):
    """A row of the data that cannot be read, with its line in ``data.jsonl``."""

    def __init__(self, line: int, error: Exception) -> None:
        super().__init__(line, error)
        self.line, self.error = line, error


def _numbered_rows(rows: Iterator) -> Iterator:
    """The deserialized rows; one that cannot be read raises ``_RowError`` naming its line."""
    line = 0
    while True:
        line += 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except (DeserializationError, ValidationError, ValueError, TypeError, LookupError) as error:
            raise _RowError(line, error) from error
        yield row


def _load_failure(error: Exception) -> str:
    """Why the data could not be loaded, for the person restoring: the line of the data that
    failed where it is known, and the cause, named by its kind when it carries no text."""
    line = error.line if isinstance(error, _RowError) else None
    cause = error.error if isinstance(error, _RowError) else error
    text = _printable(" ".join(str(cause).split()), limit=600)
    if not text:
        text = _("%(kind)s, without further detail") % {"kind": type(cause).__name__}
    if line is not None:
        return _("line %(line)s of %(file)s: %(cause)s") % {"line": line, "file": DATA_NAME, "cause": text}
    return text


def _replace_media(new: Path, media_root: Path, staging: Path) -> None:
    """Put ``new`` in place of ``media_root`` by two renames in one file system: the directory
    is never half written, but the old one, complete, and a moment later the new one, complete
    (between the two renames there is none). The old one is moved into ``staging`` and removed
    with it, last; if the second rename fails, it is put back."""
    previous = staging / "previous-media"
    had_previous = media_root.exists()
    if had_previous:
        os.rename(media_root, previous)
    try:
        os.rename(new, media_root)
    except OSError:
        if had_previous:
            os.rename(previous, media_root)
        raise


def restore_backup(path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Replace the database contents and MEDIA_ROOT with those of the archive at ``path``.

    First the whole archive is checked and unpacked beside MEDIA_ROOT (it needs that much
    free space there): a damaged, truncated or crafted archive, or one made with other
    migrations, raises ``BackupError`` and changes nothing. Then every table is emptied and
    the rows loaded in one transaction (rolled back if anything fails); only after its commit
    is the media directory swapped. Must not run inside a transaction (``atomic(durable=True)``).
    Sessions are not restored: everyone logs in again.
    """
    media_root = _media_root()
    if media_root.exists() and (not media_root.is_dir() or os.path.ismount(media_root)):
        raise BackupError(
            _(
                "The media directory %(media)s is a mount point or not a directory, so it cannot be "
                "replaced in one step; mount the folder above it instead. Nothing was changed."
            )
            % {"media": media_root}
        )
    try:
        media_root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
    except OSError as error:
        raise BackupError(
            _("Cannot write beside the media directory, in %(folder)s: %(error)s")
            % {"folder": media_root.parent, "error": error.strerror or error}
        ) from None
    keep_staging = False
    try:
        with _reading(path) as tar:
            manifest = _unpack(tar, staging, using)
        try:
            _replace_rows(staging / DATA_NAME, manifest, using)
        except (
            _RowError,
            DeserializationError,
            DatabaseError,
            ValidationError,
            ValueError,
            TypeError,
            LookupError,
        ) as error:
            raise BackupError(
                _("The data of the archive could not be loaded (%(error)s); the database was left as it was.")
                % {"error": _load_failure(error)}
            ) from None
        finally:
            ContentType.objects.clear_cache()
        try:
            _replace_media(staging / "media", media_root, staging)
        except OSError as error:
            keep_staging = True
            (staging / DATA_NAME).unlink(missing_ok=True)
            raise BackupError(
                _(
                    "The database was restored, but the media files could not be put in place (%(error)s). "
                    "The files of the backup are in %(folder)s; move them to %(media)s by hand."
                )
                % {"error": error, "folder": staging / "media", "media": media_root}
            ) from None
    finally:
        if not keep_staging:
            shutil.rmtree(staging, ignore_errors=True)
    return manifest


def describe(manifest: Manifest, *, per_model: bool = False) -> list[str]:
    """What an archive holds, as lines for a person: rows in total and by app (or by model),
    media files with their total size."""
    lines = [_("Records: %(count)s.") % {"count": manifest.record_count}]
    if per_model:
        for label, count in sorted(manifest.counts.items()):
            if count:
                try:
                    name = apps.get_model(label)._meta.verbose_name_plural
                except LookupError:
                    name = label
                lines.append(f"  {_printable(str(name))} ({_printable(label)}): {count}")
    else:
        by_app = Counter()
        for label, count in manifest.counts.items():
            by_app[label.partition(".")[0]] += count
        for app_label, count in by_app.items():
            if count:
                try:
                    name = apps.get_app_config(app_label).verbose_name
                except LookupError:
                    name = app_label
                lines.append(f"  {_printable(str(name))}: {count}")
    lines.append(
        _("Media files: %(count)s, %(size)s.")
        % {"count": len(manifest.media), "size": filesizeformat(manifest.media_bytes)}
    )
    return lines
