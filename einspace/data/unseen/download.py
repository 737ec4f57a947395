"""Verified, resumable downloads of the published datasets from their DOI location.

The datasets live on data.ncl.ac.uk, a figshare instance: the public API lists each
article's files with name, size and md5 (`GET {api}/articles/{id}/files`). Each file is
streamed to `<name>.part`, resumed with an HTTP Range request when a partial file exists
(restarted when the server ignores the range), checked against the listed size and md5, and
only then renamed to its final name. A `.part` file is never a name the loader reads, so an
interrupted download can never be mistaken for data. Zip archives are unpacked member by
member (temporary name, then rename) and kept only after verification.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.client
import json
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable

from einspace.data.unseen.specs import get_spec

FIGSHARE_API = "https://api.figshare.com/v2"
CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """A download failed verification or could not be completed."""


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """One file of a figshare article: name, size in bytes, md5 hex digest, download url."""

    name: str
    size: int
    md5: str
    url: str


def list_files(article: int, api: str = FIGSHARE_API, timeout: float = 30.0) -> list[RemoteFile]:
    """The files of figshare article `article` as the repository lists them."""
    url = f"{api.rstrip('/')}/articles/{article}/files?page_size=100"  # default page is 10
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            records = json.load(response)
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as err:
        raise DownloadError(f"could not list files of article {article} at {url}: {err}") from err
    files = []
    for record in records:
        md5 = record.get("computed_md5") or record.get("supplied_md5")
        if not md5 or "size" not in record:
            raise DownloadError(f"{url}: file {record.get('name')!r} has no size/md5 to verify")
        files.append(RemoteFile(record["name"], int(record["size"]), md5.lower(), record["download_url"]))
    return files


def _md5(path: str) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: str, size: int, md5: str) -> None:
    """Raise DownloadError naming the file unless it has `size` bytes and md5 `md5`."""
    found = os.path.getsize(path)
    if found != size:
        raise DownloadError(f"{path}: expected {size} bytes, found {found}")
    digest = _md5(path)
    if digest != md5.lower():
        raise DownloadError(f"{path}: expected md5 {md5}, found {digest}")


def _stream_once(remote: RemoteFile, part: str, timeout: float) -> None:
    """Append the rest of `remote` to `part` (or rewrite it when the server ignores Range)."""
    have = os.path.getsize(part) if os.path.exists(part) else 0
    if have > remote.size:
        os.remove(part)
        have = 0
    request = urllib.request.Request(remote.url)
    if have:
        request.add_header("Range", f"bytes={have}-")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        resumed = have and response.status == 206 and response.headers.get(
            "Content-Range", ""
        ).startswith(f"bytes {have}-")
        with open(part, "ab" if resumed else "wb") as f:
            while block := response.read(CHUNK):
                f.write(block)


def download_file(
    remote: RemoteFile,
    directory: str,
    retries: int = 3,
    timeout: float = 60.0,
    log: Callable[[str], None] = lambda _: None,
) -> str:
    """Fetch `remote` into directory/remote.name, verified; returns the final path.

    An existing verified file is kept; a `.part` file is resumed. A connection that drops is
    retried (resuming) up to `retries` times; a file that fails its size or md5 check is
    deleted and DownloadError raised.
    """
    os.makedirs(directory, exist_ok=True)
    final = os.path.join(directory, os.path.basename(remote.name))
    if os.path.exists(final):
        try:
            verify(final, remote.size, remote.md5)
            log(f"{final}: present and verified")
            return final
        except DownloadError:
            os.remove(final)
    part = final + ".part"

    def have() -> int:
        return os.path.getsize(part) if os.path.exists(part) else 0

    for attempt in range(retries + 1):
        if have() >= remote.size:
            break
        try:
            _stream_once(remote, part, timeout)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
            log(f"{part}: attempt {attempt + 1} failed ({err}); resuming")
            continue
        if have() < remote.size:
            log(f"{part}: connection ended at {have()}/{remote.size} bytes; resuming")
    if have() < remote.size:
        raise DownloadError(
            f"{remote.url}: incomplete after {retries + 1} attempts; expected {remote.size} "
            f"bytes, found {have()} (kept {part} to resume)"
        )
    try:
        verify(part, remote.size, remote.md5)
    except DownloadError:
        os.remove(part)
        raise
    os.replace(part, final)
    log(f"{final}: downloaded and verified")
    return final


def extract_zip(path: str, directory: str) -> list[str]:
    """Unpack the .npy and metadata members of a zip flat into `directory` (temp + rename)."""
    written = []
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            base = os.path.basename(member.filename)
            if member.is_dir() or not (base.endswith(".npy") or base.startswith("metadata")):
                continue
            final = os.path.join(directory, base)
            tmp = final + ".tmp"
            with archive.open(member) as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            os.replace(tmp, final)
            written.append(final)
    return written


def download_dataset(
    name: str,
    root: str,
    api: str = FIGSHARE_API,
    retries: int = 3,
    log: Callable[[str], None] = lambda _: None,
) -> str:
    """Download dataset `name` into root/<name>/ from its DOI article; returns that folder."""
    spec = get_spec(name)
    if spec.article is None:
        raise DownloadError(f"{spec.name} was never released; there is nothing to download")
    directory = os.path.join(root, spec.folder)
    for remote in list_files(spec.article, api):
        path = download_file(remote, directory, retries=retries, log=log)
        if path.endswith(".zip"):
            for member in extract_zip(path, directory):
                log(f"{member}: extracted")
    return directory
