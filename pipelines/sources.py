"""Where archives come from: files, folders, globs, http(s) URLs, fsspec URLs, zip archives.

``collect`` turns what a user names into candidate archive files on local disk (below a
working folder the caller owns, inside BRANDCARE_HOME), each with its provenance. Zip
archives are opened here: every entry is its own archive file, named ``outer.zip/entry``;
an entry with an unsafe path or an implausible compression ratio is refused, not extracted.

A file named on its own is read (and rejected with a reason when it cannot be), but for YAML,
Markdown and HTML, which no archive format is (skipped with the reason). Inside
a folder, a glob or a zip, files that are plainly not messages are skipped, reported with the
reason and never copied: binary data (images, video, fonts), YAML and Markdown (a registry, a
README), and the parts of an X personal archive that are its viewer rather than its data (see
:func:`x_archive_extras`).
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import stat
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath, PurePosixPath
from urllib.parse import parse_qsl, urldefrag, urlsplit, urlunsplit

from pipelines.formats.decode import (
    BINARY_ERROR,
    MAX_COMPRESSION_RATIO,
    MIN_BOMB_BYTES,
    TEXT_SNIFF_BYTES,
    foreign_binary_head,
    head_bytes,
    is_foreign_binary,
)

#: Files the X personal archive reader needs beside a tweets file: the owner, the long posts' whole texts.
ARCHIVE_COMPANIONS = ("account.js", "note-tweet.js")
#: An X personal archive: ``<root>/data/manifest.js`` ("window.__THAR_CONFIG = ..."), its data
#: as ``<root>/data/*.js``; beside them "Your archive.html", ``assets/`` and the media folders.
X_ARCHIVE_DATA, X_ARCHIVE_MANIFEST = "data", "manifest.js"
X_ARCHIVE_VIEWER, X_ARCHIVE_ASSETS, X_ARCHIVE_README = "Your archive.html", "assets", "README.txt"
#: The archive of 2012-2018: ``<root>/data/js/tweet_index.js`` lists the months in
#: ``<root>/data/js/tweets/YYYY_MM.js``; beside them its viewer (index.html, css/, img/, js/,
#: lib/), README.txt, tweets.csv (the same tweets as the months: at the archive's root in the
#: downloads of its first years, under data/ later) and data/js's other files.
GRAILBIRD_INDEX, GRAILBIRD_TWEETS = PurePath("data", "js", "tweet_index.js"), PurePath("data", "js", "tweets")
GRAILBIRD_EXTRA_FILES = ("index.html", "README.txt", "tweets.csv", "data/tweets.csv")
GRAILBIRD_EXTRA_FOLDERS = ("css", "img", "js", "lib", "data/js")
SKIPPED_BINARY = "binary data (an image, a video, a font): not messages"
SKIPPED_X_EXTRA = "part of an X archive that holds no messages (its viewer, manifest, README or media)"
SKIPPED_QUERY = "academictwitteR's record of the search it ran (query), not messages"
SKIPPED_NOTES = ("YAML, Markdown or HTML (a brand registry, notes, a web page such as an archive's viewer): not "
                 "messages; give a registry to `run --brands`")
SKIPPED_HOME = ("a file brandcare wrote in its home (BRANDCARE_HOME: its store, lake, publications...), not an "
                "archive")
SKIPPED_TRUTH = "what `brandcare sample` planted (truth.json), not messages"
#: no archive format is written as YAML, Markdown or HTML: a registry, a README, a web page
#: beside the exports (an X archive's viewer renamed index.html to publish it)
NOTES_SUFFIXES = (".yaml", ".yml", ".md", ".html", ".htm")
#: the first bytes of a truth.json written by `brandcare sample` (pipelines.sample)
TRUTH_HEAD = b'{\n "generator": {'
HTTP_ATTEMPTS = 4


class SourceError(Exception):
    """A source that cannot be fetched or opened at all (reported; other sources go on)."""


@dataclass(frozen=True)
class Candidate:
    """One archive file ready to register: a local path and where it came from."""

    source: str  # what the user named (path, URL, or zip source + '!' + entry)
    name: str  # base name, or 'outer.zip/entry'
    path: Path | None  # None when refused
    companions: tuple[Path, ...] = ()
    error: str | None = None  # why the candidate was refused (unsafe zip entry, download failed)
    skipped: str | None = None  # why a file found in a folder or zip is not an archive file at all
    expected_sha256: str | None = field(default=None, compare=False)


def is_url(source: str) -> bool:
    return "://" in source and not source.startswith("file://")


def companions_of(path: Path) -> tuple[Path, ...]:
    """The files of :data:`ARCHIVE_COMPANIONS` beside ``path``."""
    return tuple(p for name in ARCHIVE_COMPANIONS if (p := path.parent / name).is_file() and p != path)


def local_files(source: str) -> tuple[list[Path], bool]:
    """The files a local source names, and whether they were found (in a folder, by a glob)
    rather than named one by one."""
    path = Path(source.removeprefix("file://")).expanduser()
    if path.is_dir():
        return [p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)], True
    if path.is_file():
        return [path], False
    matches = sorted(Path(p) for p in glob.glob(source, recursive=True) if Path(p).is_file())
    if not matches:
        raise FileNotFoundError(f"no archive file matches {source!r}")
    return matches, True


def x_archive_extras(paths: Iterable[PurePath]) -> set[PurePath]:
    """Of files found together, the known parts of an X personal archive that are not its data,
    beside a ``data/manifest.js``: "Your archive.html" and ``assets/`` (its HTML viewer), the
    manifest itself and ``data/README.txt``, and every file in a folder under ``data/`` (the
    media: ``tweets_media/``, ``profile_media/``...); and the extras of a 2012-2018 archive
    beside a ``data/js/tweet_index.js`` (:data:`GRAILBIRD_EXTRA_FILES`, ``..._FOLDERS``), its
    months of tweets (``data/js/tweets/*.js``) kept. The archive's data (``data/*.js``) and any
    other file beside it (an export put in the same folder) are not set aside."""
    paths = list(paths)
    roots = {p.parent.parent for p in paths if p.name == X_ARCHIVE_MANIFEST and p.parent.name == X_ARCHIVE_DATA}
    extras = set()
    for root in roots:
        data = root / X_ARCHIVE_DATA
        for p in paths:
            if p == root / X_ARCHIVE_VIEWER or (root / X_ARCHIVE_ASSETS) in p.parents \
                    or p in (data / X_ARCHIVE_MANIFEST, data / X_ARCHIVE_README) \
                    or (data in p.parents and p.parent != data):
                extras.add(p)
    for root in {p.parents[2] for p in paths if len(p.parents) > 2 and p.parts[-3:] == GRAILBIRD_INDEX.parts}:
        tweets, files = root / GRAILBIRD_TWEETS, {root / name for name in GRAILBIRD_EXTRA_FILES}
        for p in paths:
            if tweets in p.parents:
                continue  # the months of tweets: the archive's data
            if p in files \
                    or any(root / folder in p.parents for folder in GRAILBIRD_EXTRA_FOLDERS):
                extras.add(p)
    return extras


def _notes_name(name: str) -> bool:
    """Whether a file's name says YAML, Markdown or HTML (:data:`NOTES_SUFFIXES`)."""
    return PurePath(name).suffix.lower() in NOTES_SUFFIXES


def extras(paths: Iterable[PurePath]) -> dict[PurePath, str]:
    """Of files found together, those that a tool wrote beside its data and that hold no
    messages, with the reason: an X archive's (:func:`x_archive_extras`), the ``query`` file
    academictwitteR writes beside its ``data_<id>.json`` and ``users_<id>.json`` pages, and
    YAML and Markdown files (a brand registry or a README kept with the exports)."""
    paths = list(paths)
    reasons = {p: SKIPPED_NOTES for p in paths if _notes_name(p.name)}
    reasons.update({p: SKIPPED_X_EXTRA for p in x_archive_extras(paths)})
    pages = {p.parent for p in paths if re.fullmatch(r"data_\d+\.json", p.name)}
    reasons.update({p: SKIPPED_QUERY for p in paths if p.name == "query" and p.parent in pages})
    return reasons


#: Secrets for archive sources come only from the environment, never from the URL: this
#: variable's value is sent as the Authorization header of http(s) downloads (e.g. "Bearer ...");
#: fsspec backends read their own variables (AWS_ACCESS_KEY_ID, GOOGLE_APPLICATION_CREDENTIALS, ...).
HTTP_AUTHORIZATION_VAR = "BRANDCARE_HTTP_AUTHORIZATION"


def redact(url: str) -> str:
    """A URL as it may be recorded or logged: no user or password, query values replaced by ***
    (presigned URLs carry their signature there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    query = "&".join(f"{key}=***" for key, _ in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))


def _fetch_http(url: str, target: Path) -> None:
    """Stream a URL to ``target``, retrying connection errors, timeouts and 5xx with backoff."""
    import httpx

    secret = os.environ.get(HTTP_AUTHORIZATION_VAR)
    headers = {"Authorization": secret} if secret else {}
    delay = 0.5
    for attempt in range(1, HTTP_ATTEMPTS + 1):
        try:
            with httpx.stream("GET", url, headers=headers, follow_redirects=True, timeout=60) as response:
                if response.status_code >= 500 and attempt < HTTP_ATTEMPTS:
                    raise httpx.HTTPStatusError("server error", request=response.request, response=response)
                response.raise_for_status()
                _require_space(url, target.parent, response.headers.get("content-length", ""))
                _write_stream(url, target, response.iter_bytes())
            return
        except (httpx.TransportError, httpx.HTTPStatusError) as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if isinstance(exc, httpx.UnsupportedProtocol):  # a redirect to file:// or ftp://: no retry mends it
                raise SourceError(f"download of {redact(url)} refused: it leads to an address that is not http(s)"
                                  ) from exc
            if attempt == HTTP_ATTEMPTS or (status is not None and status < 500):
                reason = f"HTTP {status}" if status is not None else type(exc).__name__
                raise SourceError(f"download of {redact(url)} failed after {attempt} attempt(s): {reason}") from exc
            time.sleep(delay)
            delay *= 2


def _require_space(url: str, folder: Path, length: str) -> None:
    """Refuse a download whose announced size (Content-Length) exceeds the free space below
    ``folder`` (the home's temp folder), before a byte is written."""
    free = shutil.disk_usage(folder).free
    if length.isdigit() and int(length) > free:
        raise SourceError(f"download of {redact(url)} refused: it is {int(length):,} bytes and {folder} has "
                          f"{free:,} bytes free (BRANDCARE_HOME's disk): free space, or download it elsewhere "
                          "and ingest the file from there")


def _write_stream(url: str, target: Path, chunks: Iterable[bytes]) -> None:
    """Write a download's chunks to ``target``; a write that fails (the disk filled up) removes
    the part written and says so."""
    try:
        with target.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise SourceError(f"download of {redact(url)} stopped: writing {target.parent} failed "
                          f"({exc.strerror or type(exc).__name__}; {shutil.disk_usage(target.parent).free:,} bytes "
                          "free): the part written was removed") from exc


def _fetch_fsspec(url: str, target: Path) -> None:
    import fsspec

    try:
        with fsspec.open(url, "rb") as src:
            _write_stream(url, target, iter(lambda: src.read(1 << 20), b""))
    except (ImportError, ValueError) as exc:
        raise SourceError(f"cannot open {redact(url)}: {type(exc).__name__} "
                          "(install the fsspec package for this protocol)") from exc
    except OSError as exc:
        raise SourceError(f"cannot read {redact(url)}: {type(exc).__name__}") from exc


def fetch(url: str, workdir: Path) -> Candidate:
    """Download one URL into ``workdir``. A ``#sha256=<hex>`` fragment is verified after download."""
    address, fragment = urldefrag(url)
    expected = fragment.removeprefix("sha256=").lower() if fragment.startswith("sha256=") else None
    name = PurePosixPath(address.split("?", 1)[0]).name
    name = name if name not in ("", ".", "..") else "download"  # never a path out of the work folder
    shown = redact(url)  # what is recorded and logged: never a secret
    if expected is not None and not re.fullmatch(r"[0-9a-f]{64}", expected):  # said before the download (QA)
        return Candidate(source=shown, name=name, path=None,
                         error=f"#sha256= wants the 64 hexadecimal digits of a SHA-256, not {expected[:70]!r}")
    if urlsplit(address).username or urlsplit(address).password:
        return Candidate(source=shown, name=name, path=None,
                         error="credentials in a URL are refused: give them through the environment "
                               f"({HTTP_AUTHORIZATION_VAR} for http(s), the fsspec backend's own variables otherwise)")
    target = workdir / hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()[:12] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if address.startswith(("http://", "https://")):
            _fetch_http(address, target)
        else:
            _fetch_fsspec(address, target)
    except SourceError as exc:
        return Candidate(source=shown, name=name, path=None, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a source that cannot be fetched is refused alone
        return Candidate(source=shown, name=name, path=None, error=f"cannot fetch: {type(exc).__name__}")
    return Candidate(source=shown, name=name, path=target, expected_sha256=expected)


def _entry_path(info: zipfile.ZipInfo) -> PurePosixPath:
    """A zip entry's path with '/' separators (some zip tools write '\\')."""
    return PurePosixPath(info.filename.replace("\\", "/"))


#: zip files that are office documents (Office Open XML, OpenDocument), by an entry each holds
_OFFICE_DOCUMENTS = {"word/document.xml": "a Word document", "ppt/presentation.xml": "a PowerPoint presentation",
                     "content.xml": "an OpenDocument file"}
#: the entry that makes a zip file an Excel workbook: one archive file, its sheet read (decode.prepare)
_WORKBOOK_ENTRY = "xl/workbook.xml"


def _office_document(names: set[str]) -> str | None:
    """Why a zip file that is an office document (an .xlsx is a zip of XML parts) is refused
    whole, rather than its parts read as archives; None for any other zip."""
    if not ({"[Content_Types].xml", "mimetype"} & names):
        return None
    kind = next((kind for entry, kind in _OFFICE_DOCUMENTS.items() if entry in names), None)
    if kind is None:
        return None
    return f"{kind}, not an archive format brandcare reads"


def _unzip(candidate: Candidate, workdir: Path) -> Iterator[Candidate]:
    """Every file entry of a zip archive as its own candidate; unsafe entries are refused, each
    alone: a path out of the folder, a symbolic link, a second entry of one name, an entry that
    cannot be written (a name too long, a file where a folder is needed), and a decompression
    bomb: an entry past MAX_COMPRESSION_RATIO times its compressed size, or entries past that
    ratio of the whole zip's size together (many entries each under MIN_BOMB_BYTES)."""
    assert candidate.path is not None
    outer = candidate.name
    target_root = workdir / ("unzip-" + hashlib.sha256(os.fsencode(candidate.path)).hexdigest()[:12])
    try:
        archive = zipfile.ZipFile(candidate.path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield Candidate(candidate.source, outer, None, error=f"damaged zip archive: {exc}")
        return
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if _WORKBOOK_ENTRY in {info.filename for info in entries}:  # an .xlsx: one file, its sheet read
            yield candidate
            return
        if document := _office_document({info.filename for info in entries}):
            yield Candidate(candidate.source, outer, None, error=document)
            return
        skips = extras(_entry_path(info) for info in entries)
        extracted: dict[str, Path] = {}
        budget = max(MIN_BOMB_BYTES, MAX_COMPRESSION_RATIO * candidate.path.stat().st_size)
        for info in entries:
            name = f"{outer}/{info.filename}"
            source = f"{candidate.source}!{info.filename}"
            entry_path = _entry_path(info)
            if entry_path.is_absolute() or ".." in entry_path.parts or ":" in info.filename:
                yield Candidate(source, name, None, error=f"unsafe zip entry path {info.filename!r}: refused")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                yield Candidate(source, name, None, error=f"zip entry {info.filename!r} is a symbolic link: refused")
                continue
            if name in extracted:
                yield Candidate(source, name, None, error=(
                    f"a second zip entry named {info.filename!r}: refused (the first one is read)"))
                continue
            if info.file_size > MIN_BOMB_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                yield Candidate(source, name, None, error=(
                    f"zip entry {info.filename!r} would decompress to {info.file_size} bytes from "
                    f"{info.compress_size}: refused as a decompression bomb"))
                continue
            if any(part.startswith(".") or part == "__MACOSX" for part in entry_path.parts):
                continue
            if entry_path in skips:
                yield Candidate(source, name, None, skipped=skips[entry_path])
                continue
            if budget <= 0:
                yield Candidate(source, name, None, error=(
                    f"zip entry {info.filename!r}: the entries before it decompress to more than "
                    f"{MAX_COMPRESSION_RATIO} times the zip's size: refused as a decompression bomb"))
                continue
            target = target_root.joinpath(*entry_path.parts)
            limit = min(max(MIN_BOMB_BYTES, MAX_COMPRESSION_RATIO * max(info.compress_size, 1)), budget)
            try:
                with archive.open(info) as head:  # skipped unextracted, as collect skips found files
                    if foreign_binary_head(head.read(TEXT_SNIFF_BYTES)):
                        yield Candidate(source, name, None, skipped=SKIPPED_BINARY)
                        continue
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy_capped(archive.open(info), target, limit)
                budget -= target.stat().st_size
            except SourceError as exc:
                yield Candidate(source, name, None, error=f"zip entry {info.filename!r}: {exc}")
                continue
            except OSError as exc:
                # a name this file system cannot hold, a file where the entry needs a folder
                where = "cannot be written here" if exc.filename else "is damaged"
                yield Candidate(source, name, None, error=f"zip entry {info.filename!r} {where}: {exc.strerror or exc}")
                continue
            except (zipfile.BadZipFile, EOFError) as exc:
                yield Candidate(source, name, None, error=f"damaged zip entry {info.filename!r}: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - encrypted, unsupported compression...: this entry only
                yield Candidate(source, name, None, error=f"zip entry {info.filename!r} cannot be extracted: "
                                                          f"{type(exc).__name__}: {exc}")
                continue
            extracted[name] = target
        for name, target in extracted.items():
            yield Candidate(candidate.source + "!" + name.split("/", 1)[1], name, target, companions_of(target))


def _copy_capped(stream, target: Path, limit: int) -> None:
    """Copy a decompressing stream, refusing it once it grows past ``limit`` bytes."""
    written = 0
    with stream as src, target.open("wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise SourceError(f"decompressed size exceeds {limit} bytes: refused as a decompression bomb")
            out.write(chunk)


def _looks_like_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def collect(sources: Iterable[str], workdir: Path, managed: tuple[Path, ...] = ()) -> Iterator[Candidate]:
    """Expand what the user named into candidate archive files (zip archives opened). Binary data
    of no format brandcare reads (an X archive's media) is told from its first bytes, so that it
    is never copied into the store nor extracted from a zip: refused when named on its own,
    skipped when found in a folder, a glob or a zip, as are an X archive's other extras, and
    the files under ``managed`` (what brandcare writes in its home: a folder holding both the
    home and the archives was read whole, QA: 429 of 433 files rejected and kept in the store)."""
    for source in sources:
        found = False
        if is_url(source):
            fetched = fetch(source, workdir)
            candidates = [replace(fetched, source=unicode_text(fetched.source), name=unicode_text(fetched.name))]
        else:
            paths, found = local_files(source)
            if found:
                skips = skip_reasons(paths)  # on the paths as found: a link is where it lies
                skips.update({p: SKIPPED_HOME for p in paths
                              if any(p.resolve().is_relative_to(own) for own in managed)})
            else:  # a file named on its own is read, unless its name says no archive format
                # (QA: `ingest brands.yaml` was rejected as an unknown format, "give it with --format")
                skips = {p: SKIPPED_NOTES for p in paths if _notes_name(p.name)}
            # the source and name a record keeps: text (a name's bytes that are not UTF-8 shown as U+FFFD:
            # QA, such a name stopped the whole ingest when its record was stored); the path stays the file's
            candidates = [Candidate(unicode_text(str(p.resolve())), unicode_text(p.name), None, skipped=skips[p])
                          if p in skips else
                          Candidate(unicode_text(str(p.resolve())), unicode_text(p.name), p.resolve(),
                                    companions_of(p.resolve()))
                          for p in paths]
        for candidate in candidates:
            if candidate.path is not None and _looks_like_zip(candidate.path):
                yield from _unzip(candidate, workdir)
            elif not found and candidate.path is not None and is_foreign_binary(candidate.path):
                # named on its own (found files were sorted by skip_reasons, which read their heads)
                yield replace(candidate, path=None, companions=(), error=BINARY_ERROR)
            else:
                yield candidate


def unicode_text(text: str) -> str:
    """A file name or path as valid Unicode: bytes Python kept undecoded (a name that is not
    UTF-8) become U+FFFD, so that it can be recorded and printed."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def skip_reasons(paths: list[Path]) -> dict[Path, str]:
    """Of files found together (in a folder, by a glob), those that are plainly not messages,
    with the reason: what tools write beside their data (:func:`extras`), the truth.json of a
    `brandcare sample` folder, and binary data, told from their first bytes (a zip is not
    skipped: it is opened, and its entries are sorted alike)."""
    reasons = extras(paths)
    reasons.update({p: reason for p in paths if p not in reasons and (reason := skip_reason(p, p.name))})
    return reasons


def skip_reason(path: Path, name: str) -> str | None:
    """Why a file (at ``path``, named ``name``) found in a folder is plainly not messages, told
    from its name and first bytes alone: YAML, Markdown or HTML, a sample's truth.json, binary
    data (a zip is not: it is opened); else None. Also what ``ingest --reread`` forgets of the
    files an older version registered (it read every file of a folder)."""
    if _notes_name(name):
        return SKIPPED_NOTES
    if name == "truth.json" and head_bytes(path).startswith(TRUTH_HEAD):
        return SKIPPED_TRUTH
    if not _looks_like_zip(path) and is_foreign_binary(path):
        return SKIPPED_BINARY
    return None
