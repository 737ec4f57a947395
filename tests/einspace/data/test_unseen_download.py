"""Downloads against a figshare-like HTTP server on 127.0.0.1 (no internet): verification,
resume with Range, restart when Range is ignored, and no half file the loader would accept."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import threading
import zipfile

import numpy as np
import pytest

from einspace.data.unseen import get_spec, load_arrays
from einspace.data.unseen.download import (
    DownloadError,
    RemoteFile,
    download_dataset,
    download_file,
    list_files,
)


class _Server:
    """Serves `files` (name -> bytes) and a figshare listing; can drop or ignore ranges."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.listing: dict[int, list[dict]] = {}
        self.cut_after: int | None = None  # drop the connection after this many body bytes
        self.cuts_left = 0
        self.ignore_range = False
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Range")))
                if self.path.startswith("/v2/articles/"):
                    article = int(self.path.split("/")[3])
                    body = json.dumps(server.listing.get(article, [])).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if self.path.startswith("/redirect/"):  # figshare hands out redirects to storage
                    self.send_response(302)
                    self.send_header("Location", self.path[len("/redirect"):])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = server.files.get(self.path.lstrip("/"))
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                rng = self.headers.get("Range")
                if rng and not server.ignore_range:
                    start = int(rng.split("=")[1].rstrip("-"))
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.cuts_left > 0 and server.cut_after is not None:
                    server.cuts_left -= 1
                    self.wfile.write(body[: server.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(self, name: str, data: bytes, md5: str | None = None) -> RemoteFile:
        self.files[name] = data
        return RemoteFile(name, len(data), md5 or hashlib.md5(data).hexdigest(), f"{self.url}/{name}")


@pytest.fixture
def server():
    srv = _Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    thread.join(timeout=5)


def _read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _payload(n=300_000, seed=0) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def test_clean_download_is_verified_and_renamed(server, tmp_path):
    remote = server.add("blob.bin", _payload())
    path = download_file(remote, str(tmp_path))
    assert _read(path) == server.files["blob.bin"]
    assert not os.path.exists(path + ".part")
    # second call keeps the verified file and makes no request for it
    n = len(server.requests)
    download_file(remote, str(tmp_path))
    assert len(server.requests) == n


def test_dropped_connection_resumes_with_range(server, tmp_path):
    remote = server.add("blob.bin", _payload())
    server.cut_after, server.cuts_left = 100_000, 2
    path = download_file(remote, str(tmp_path), retries=3)
    assert _read(path) == server.files["blob.bin"]
    ranges = [r for p, r in server.requests if p == "/blob.bin"]
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert len(ranges) == 3


def test_resume_through_a_redirect_keeps_the_range(server, tmp_path):
    remote = server.add("blob.bin", _payload())
    remote = RemoteFile(remote.name, remote.size, remote.md5, f"{server.url}/redirect/blob.bin")
    server.cut_after, server.cuts_left = 50_000, 1
    path = download_file(remote, str(tmp_path))
    assert _read(path) == server.files["blob.bin"]
    followed = [r for p, r in server.requests if p == "/blob.bin"]
    assert len(followed) == 2 and followed[1] == "bytes=50000-"


def test_server_ignoring_range_restarts_from_zero(server, tmp_path):
    remote = server.add("blob.bin", _payload())
    (tmp_path / "blob.bin.part").write_bytes(server.files["blob.bin"][:5000])
    server.ignore_range = True
    path = download_file(remote, str(tmp_path))
    assert _read(path) == server.files["blob.bin"]


def test_interrupted_download_leaves_only_a_part_file(server, tmp_path):
    remote = server.add("train_x.npy", _payload())
    server.cut_after, server.cuts_left = 1000, 10
    with pytest.raises(DownloadError, match=r"incomplete after 2 attempts; expected 300000 bytes, found 2000"):
        download_file(remote, str(tmp_path), retries=1)
    assert sorted(os.listdir(tmp_path)) == ["train_x.npy.part"]
    server.cuts_left = 0  # the next run resumes and completes
    download_file(remote, str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["train_x.npy"]


def test_checksum_and_size_mismatch_delete_the_file(server, tmp_path):
    remote = server.add("blob.bin", _payload(), md5="0" * 32)
    with pytest.raises(DownloadError, match=r"blob\.bin\.part: expected md5 0{32}, found [0-9a-f]{32}"):
        download_file(remote, str(tmp_path))
    assert os.listdir(tmp_path) == []
    # a stale final file that fails verification is replaced, not trusted
    good = server.add("blob.bin", _payload())
    (tmp_path / "blob.bin").write_bytes(b"stale")
    download_file(good, str(tmp_path))
    assert (tmp_path / "blob.bin").read_bytes() == server.files["blob.bin"]


def _npy_bytes(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def _dataset_files(spec, sizes=(6, 3, 2)):
    rng = np.random.default_rng(1)
    out = {}
    for split, n in zip(("train", "valid", "test"), sizes):
        out[f"{split}_x.npy"] = _npy_bytes(rng.normal(size=(n, *spec.shape)).astype(np.float32))
        out[f"{split}_y.npy"] = _npy_bytes(np.arange(n) % spec.num_classes)
    return out


def _listing(server, files):
    return [
        {"name": name, "size": len(data), "computed_md5": hashlib.md5(data).hexdigest(),
         "download_url": f"{server.url}/{name}"}
        for name, data in files.items()
    ]


def test_download_dataset_from_listing_then_load(server, tmp_path):
    spec = get_spec("gutenberg")
    files = _dataset_files(spec)
    for name, data in files.items():
        server.add(name, data)
    server.listing[spec.article] = _listing(server, files)
    assert [f.name for f in list_files(spec.article, f"{server.url}/v2")] == list(files)
    directory = download_dataset("Gutenberg", str(tmp_path), api=f"{server.url}/v2")
    arrays = load_arrays("gutenberg", str(tmp_path), check_sizes=False)
    assert directory.endswith("gutenberg") and arrays["train_x"].shape == (6, 1, 27, 18)


def test_download_dataset_unpacks_a_zip_archive(server, tmp_path):
    spec = get_spec("chesseract")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in _dataset_files(spec).items():
            archive.writestr(f"Chesseract/{name}", data)
        archive.writestr("Chesseract/metadata", json.dumps({"num_classes": 3}))
    zipped = {"chesseract.zip": buf.getvalue()}
    server.add("chesseract.zip", zipped["chesseract.zip"])
    server.listing[spec.article] = _listing(server, zipped)
    download_dataset("chesseract", str(tmp_path), api=f"{server.url}/v2")
    arrays = load_arrays("chesseract", str(tmp_path), check_sizes=False)
    assert arrays["test_x"].shape == (2, 12, 8, 8)


def test_unreleased_dataset_and_unreachable_api(tmp_path, server):
    with pytest.raises(DownloadError, match="Isabella was never released"):
        download_dataset("isabella", str(tmp_path))
    with pytest.raises(DownloadError, match=r"could not list files of article 1 at"):
        list_files(1, f"{server.url}/nothing-here")


def test_cli_download_then_info(server, tmp_path, capsys):
    from jitloop.commands import run

    spec = get_spec("language")
    files = _dataset_files(spec)
    for name, data in files.items():
        server.add(name, data)
    server.listing[spec.article] = _listing(server, files)
    with pytest.raises(Exception, match=r"train_x\.npy: expected 50000 train examples"):
        # the files are small, so the published-size check rejects them after download
        run("einspace", "t", ("einspace.cli.data",),
            ["data", "download", "language", "--root", str(tmp_path), "--api", f"{server.url}/v2"])
    assert sorted(os.listdir(tmp_path / "language")) == sorted(files)
    code = run("einspace", "t", ("einspace.cli.data",), ["data", "info", "--root", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1 and "Language     INVALID" in out and "AddNIST      absent" in out
