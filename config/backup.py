"""Backups of the whole registry, database and uploaded media together, and their restoration.

An archive is one tar.gz file: ``manifest.json`` (what the archive holds, with the size and
SHA-256 of every other member), ``manifest.sig`` (an HMAC of the manifest with
``BACKUP_SIGNING_KEY``), ``database.dump`` (the database in its own format, made by its own
tools: ``pg_dump --format=custom``, or a copy by SQLite's backup API; sessions left out) and
``media/<name>`` (every regular file under ``MEDIA_ROOT``).

``create_backup(path)`` writes one; ``restore_backup(path)`` checks all of it first, then
replaces the database in one transaction and swaps the media directory; ``read_manifest(path)``
reads only the manifest. They raise ``BackupError`` with a message for the person running them.
See docs/backup.md.
"""

import datetime
import gzip
import hashlib
import io
import itertools
import json
import logging
import os
import shlex
import shutil
import sqlite3
import stat
import tarfile
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from dbbackup.db.exceptions import CommandConnectorError, ConnectorError
from dbbackup.db.postgresql import PgDumpBinaryConnector
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.transaction import TransactionManagementError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.cache import records_changed

FORMAT = "rejestr-partnerstw-lokalnych-backup"
FORMAT_VERSION = 3
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
SIGNATURE_SALT = "config.backup.manifest"
DUMP_NAME = "database.dump"
MEDIA_PREFIX = "media/"
# Sessions are not records: restored, they would log people in to accounts of another moment.
SESSION_TABLE = Session._meta.db_table
EXCLUDED_MODELS = frozenset({Session._meta.label_lower})
# The schema name under which a SQLite dump is attached to Django's connection.
ATTACHED = "archived"
# A manifest lists every media file in about 150 bytes; this allows for a few hundred thousand.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024
CHUNK_BYTES = 1024 * 1024
# Media are PDFs and images, compressed already; a higher level costs time and saves little.
COMPRESS_LEVEL = 6
NAMES_SHOWN = 10

# django-dbbackup is a library here: its PgDumpBinaryConnector runs pg_dump and pg_restore with
# the connection's settings (host, port, user, TLS options; the password in the environment).
# It is not an installed app: its dbrestore command would load a dump without any of the checks
# below. It sets its logger to DEBUG when imported, which would print every pg_dump command line
# (and a nightly cron job would mail it); the logger follows the root logger's level instead.
logging.getLogger("dbbackup.command").setLevel(logging.NOTSET)


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
    # Rows per model in the dump (sessions aside), counted in the snapshot the dump was made of.
    counts: dict[str, int]
    dump_size: int
    dump_sha256: str
    media: list[MediaFile]
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
            "database": {"name": DUMP_NAME, "size": self.dump_size, "sha256": self.dump_sha256},
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
        # The version is checked before anything else: another format has other fields.
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise BackupError(
                _(
                    "The archive is in backup format version %(version)s; this version of the registry "
                    "reads version %(known)s only. Restore it with the version of the registry that made it."
                )
                % {"version": _printable(str(version)), "known": FORMAT_VERSION}
            )
        # Signed, the manifest is as this installation wrote it: these checks guard only against
        # a manifest that someone with the key wrote by hand. A wrong value fails a later check.
        try:
            media = [MediaFile(str(item["name"]), int(item["size"]), str(item["sha256"])) for item in data["media"]]
            manifest = cls(
                created_at=datetime.datetime.fromisoformat(data["created_at"]),
                django_version=str(data["django_version"]),
                database_vendor=str(data["database_vendor"]),
                migrations={str(app): sorted(map(str, names)) for app, names in data["migrations"].items()},
                counts={str(label): int(number) for label, number in data["counts"].items()},
                dump_size=int(data["database"]["size"]),
                dump_sha256=str(data["database"]["sha256"]),
                media=media,
                media_skipped=[str(name) for name in data.get("media_skipped", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError(_("The manifest of the archive is incomplete or damaged; nothing was changed.")) from None
        names = [item.name for item in media]
        if len(set(names)) != len(names) or not all(_is_safe_path(name) for name in names):
            raise BackupError(
                _("The manifest of the archive lists a media file twice or at an unsafe path; nothing was changed.")
            )
        return manifest


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


def _by_app(migrations) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for app, name in sorted(migrations):
        result.setdefault(app, []).append(name)
    return result


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The migrations applied to the database, by app, sorted by name; none before ``migrate``."""
    return _by_app(MigrationRecorder(connections[using]).applied_migrations())


def _dumped_migrations(cursor, schema: str = "") -> dict[str, list[str]]:
    """The migrations that the ``django_migrations`` table seen by ``cursor`` records, by app."""
    cursor.execute(f"SELECT app, name FROM {schema}django_migrations")  # noqa: S608
    return _by_app(cursor.fetchall())


def _count_rows(cursor, connection, schema: str = "") -> dict[str, int]:
    """The rows of each backed-up model's table; one query per table."""
    counts = {}
    for model in backed_up_models(connection.alias):
        table = schema + connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (a model's table name)
        counts[model._meta.label_lower] = cursor.fetchone()[0]
    return counts


def default_backup_path() -> Path:
    """``var/backups/rejestr-<local date and time>.tar.gz`` under VAR_DIR."""
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"rejestr-{stamp}.tar.gz"


def _outside_transaction(connection) -> None:
    # pg_dump and pg_restore work in connections of their own: inside a transaction of this one,
    # a dump would miss its uncommitted rows, and a restore would wait forever for its locks.
    if connection.in_atomic_block:
        raise TransactionManagementError("Backups are made and restored outside any transaction.")


def _tool_failure(error: Exception) -> str:
    """Why a dump or a load failed, for the person running it, never empty: what the tool wrote
    on its error output (without the command line, nor the SQL that pg_restore quotes after
    "Command was:"), or the kind of error when it says nothing."""
    if isinstance(error, CommandConnectorError) and isinstance(error.__cause__, FileNotFoundError):
        return _("%(tool)s was not found: install the PostgreSQL client tools (Debian: postgresql-client)") % {
            "tool": error.__cause__.filename
        }
    lines = str(error).splitlines()
    if isinstance(error, CommandConnectorError) and lines and lines[0].startswith("Error running:"):
        lines = lines[1:]
    lines = itertools.takewhile(lambda line: not line.startswith("Command was:"), lines)
    text = _printable(" ".join(" ".join(lines).split()), limit=600)
    return text or _("%(kind)s, without further detail") % {"kind": type(error).__name__}


# Writing an archive


def _dump_postgresql(connection, path: Path) -> tuple[dict, dict]:
    """``pg_dump --format=custom`` of the database into ``path``, session rows left out; the
    migrations and row counts of what it dumped. pg_dump reads the snapshot this connection's
    transaction exports, so the counts are those of the dump."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        migrations, counts = _dumped_migrations(cursor), _count_rows(cursor, connection)
        # The snapshot lives as long as this transaction, so pg_dump runs inside it.
        suffix = f"--snapshot={shlex.quote(snapshot)} --file={shlex.quote(str(path))}"
        PgDumpBinaryConnector(connection.alias, exclude=[SESSION_TABLE], dump_suffix=suffix).create_dump()
    return migrations, counts


@contextmanager
def _attached(connection, path: Path) -> Iterator:
    """A cursor of Django's SQLite connection with the database file at ``path`` attached as
    the schema ``archived``: Django's connection has the SQL functions (REGEXP) that the
    schema's CHECK constraints call, which VACUUM and ``integrity_check`` evaluate."""
    with connection.cursor() as cursor:
        cursor.execute(f"ATTACH DATABASE %s AS {ATTACHED}", [str(path)])
        try:
            yield cursor
        finally:
            cursor.execute(f"DETACH DATABASE {ATTACHED}")


def _dump_sqlite(connection, path: Path) -> tuple[dict, dict]:
    """A copy of the database in ``path`` by SQLite's backup API, emptied of sessions; the
    migrations and row counts of the copy. In one step, the copy is one snapshot of the
    database; in WAL mode staff can keep saving meanwhile."""
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
        # One file, never a -wal beside it (the copy keeps the live database's journal mode).
        copy.execute("PRAGMA journal_mode=DELETE")
    with _attached(connection, path) as cursor:
        cursor.execute(f"DELETE FROM {ATTACHED}.{SESSION_TABLE}")  # noqa: S608
        # VACUUM rewrites the file, so that no session, nor anything deleted earlier, stays
        # readable in its free pages.
        cursor.execute(f"VACUUM {ATTACHED}")
        return _dumped_migrations(cursor, f"{ATTACHED}."), _count_rows(cursor, connection, f"{ATTACHED}.")


DUMPERS = {"postgresql": _dump_postgresql, "sqlite": _dump_sqlite}


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


def _write_archive(path: Path, manifest: Manifest, dump_path: Path, media_root: Path) -> None:
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
                with dump_path.open("rb") as file:
                    _add_member(tar, DUMP_NAME, file, manifest.dump_size, manifest.dump_sha256)
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
    """Save the database and every file under MEDIA_ROOT into a new archive at ``path`` (its
    folder is created); refuse a path that exists or lies inside MEDIA_ROOT.

    The database is dumped by its own tools to a temporary file beside the archive (it needs
    that much free space there), then the media files are read twice each (their checksums for
    the manifest, which comes first, then their copies). Must not run inside a transaction.
    """
    path = Path(path).absolute()
    connection = connections[using]
    _outside_transaction(connection)
    media_root = Path(settings.MEDIA_ROOT)
    if connection.vendor not in DUMPERS:
        raise BackupError(_("Backups are made of SQLite and PostgreSQL databases only."))
    if path.exists():
        raise BackupError(_exists_message(path))
    if path.resolve().is_relative_to(_media_root()):
        raise BackupError(_("A backup cannot be written inside the media directory %(media)s.") % {"media": media_root})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, dump_path = tempfile.mkstemp(prefix=".database-", suffix=".dump", dir=path.parent)
        os.close(descriptor)
    except OSError as error:
        raise BackupError(
            _("Cannot write in %(folder)s: %(error)s") % {"folder": path.parent, "error": error.strerror or error}
        ) from None
    dump_path = Path(dump_path)
    try:
        created_at = timezone.now()
        try:
            migrations, counts = DUMPERS[connection.vendor](connection, dump_path)
        except (ConnectorError, sqlite3.Error, DatabaseError) as error:
            raise BackupError(
                _("The database could not be dumped (%(error)s); nothing was saved.") % {"error": _tool_failure(error)}
            ) from None
        # Only now the files: a row names a file saved before the row was committed, so every
        # file the dumped rows name is on disk already; uploads get new names, never rewritten.
        media, skipped = _scan_media(media_root)
        manifest = Manifest(
            created_at=created_at,
            django_version=django.get_version(),
            database_vendor=connection.vendor,
            migrations=migrations,
            counts=counts,
            dump_size=dump_path.stat().st_size,
            dump_sha256=_sha256_of(dump_path),
            media=media,
            media_skipped=skipped,
        )
        _write_archive(path, manifest, dump_path, media_root)
    except OSError as error:
        raise BackupError(
            _("The backup could not be written: %(error)s; nothing was saved.") % {"error": error}
        ) from None
    finally:
        dump_path.unlink(missing_ok=True)
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


def check_database(manifest: Manifest, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse an archive made on another kind of database, or with migrations that differ in
    any way from those applied to this one: its dump fits that database and schema only."""
    vendor = connections[using].vendor
    if manifest.database_vendor != vendor:
        raise BackupError(
            _(
                "The backup was made on a %(archived)s database and this one is %(here)s: an archive is restored "
                "into the kind of database that made it. To move the registry from one to the other, see "
                "“Moving from SQLite to PostgreSQL” in docs/backup.md. Nothing was changed."
            )
            % {"archived": _printable(manifest.database_vendor), "here": vendor}
        )
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
    """Check the whole archive and copy its dump and media into ``staging``; the manifest."""
    manifest = _read_manifest(tar)
    check_database(manifest, using)
    expected = {MEDIA_PREFIX + item.name: (item.size, item.sha256) for item in manifest.media}
    expected[DUMP_NAME] = (manifest.dump_size, manifest.dump_sha256)
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
        if member.size != size:
            raise BackupError(_damaged_member_message(name))
        target = staging / member.name
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


def _check_dump(connection, path: Path) -> None:
    """Read the dump as the database's tools do, without changing anything: pg_restore lists
    its table of contents; SQLite checks the whole file and its foreign keys. Raises what the
    tool raises."""
    if connection.vendor == "postgresql":
        PgDumpBinaryConnector(connection.alias).run_command(f"pg_restore --list {shlex.quote(str(path))}")
        return
    with _attached(connection, path) as cursor:
        cursor.execute(f"PRAGMA {ATTACHED}.integrity_check")
        problems = [message for (message,) in cursor.fetchall() if message != "ok"]
        cursor.execute(f"PRAGMA {ATTACHED}.foreign_key_check")
        problems += [
            _("row %(row)s of %(table)s refers to a missing row of %(parent)s")
            % {"row": row, "table": table, "parent": parent}
            for table, row, parent, _key in cursor.fetchall()
        ]
    if problems:
        raise DatabaseError("; ".join(problems[:NAMES_SHOWN]))


def _load_dump(connection, path: Path) -> None:
    """Replace the whole database with the dump at ``path``, all or nothing.

    PostgreSQL: ``pg_restore --clean --if-exists --single-transaction --no-owner`` drops and
    recreates every table of the dump in one transaction, which a failure rolls back; the
    tables are locked until it commits. SQLite: the backup API copies the dump into the open
    database in one step and one transaction, so other connections see the old database or
    the new one, never a mix, and no file is replaced under them.
    """
    if connection.vendor == "postgresql":
        with path.open("rb") as dump:
            PgDumpBinaryConnector(connection.alias, pg_options="--no-owner").restore_dump(dump)
        return
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as dump:
        dump.backup(connection.connection)


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
    """Replace the database and MEDIA_ROOT with those of the archive at ``path``.

    First the whole archive is checked and unpacked beside MEDIA_ROOT (it needs that much
    free space there), and the dump read by the database's tools: a damaged, truncated or
    crafted archive, or one made on another database or with other migrations, raises
    ``BackupError`` and changes nothing. Then the database is replaced in one transaction
    (see ``_load_dump``); only after that is the media directory swapped. Must not run inside
    a transaction. Sessions are not restored: everyone logs in again.
    """
    connection = connections[using]
    _outside_transaction(connection)
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
            _check_dump(connection, staging / DUMP_NAME)
            _load_dump(connection, staging / DUMP_NAME)
        except (ConnectorError, sqlite3.Error, DatabaseError) as error:
            raise BackupError(
                _("The data of the archive could not be loaded (%(error)s); the database was left as it was.")
                % {"error": _tool_failure(error)}
            ) from None
        finally:
            ContentType.objects.clear_cache()
        # The dump holds none; this keeps the promise whatever the dump holds.
        Session.objects.all().delete()
        # The database changed without model signals: cached pages are dropped.
        records_changed.send(sender=None)
        try:
            _replace_media(staging / "media", media_root, staging)
        except OSError as error:
            keep_staging = True
            (staging / DUMP_NAME).unlink(missing_ok=True)
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
