"""`leitong serve` attacked the way a hostile client would: oversized and slow bodies, files that are not
documents, zip bombs and zip entries that leave their folder, malformed multipart, markup in reports and
names, cross-site requests, forged cookies, guessed check ids, password guessing, and bytes that are not
HTTP. Each test asserts the exact refusal, that the server is still alive, and that nothing leaked or
changed."""

import contextlib
import json
import os
import pathlib
import re
import socket
import struct
import subprocess
import threading
import time
import uuid
import zlib
from urllib.parse import urlencode

import pytest

from conftest import CORPORA, RECYCLED, USERS, Client, Server, encode_multipart, leitong_bin, make_archive

LUOHU = "深圳市罗湖区民政局"
SHAPINGBA = "重庆市沙坪坝区民政局"
REPORT_2024 = CORPORA / "reports" / "luohu-minzheng-2024.txt"


# ---------------------------------------------------------------------------------------------------
# Helpers


def verify(archive):
    """`leitong verify` passes on the archive."""
    result = subprocess.run([leitong_bin(), "verify", "--archive", str(archive)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("ok"), result.stdout


@contextlib.contextmanager
def dedicated_server(folder, *extra):
    """A server of its own over a fresh archive in `folder`; stopped cleanly and verified afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = make_archive(folder)
    running = Server(archive, *extra, "--quiet")
    try:
        yield running
    finally:
        status = running.stop()
        assert status == 0, f"leitong serve exited with {status}: {running.stderr()}"
        verify(archive)


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    """A server with --max-upload-mb 1 (a body may be 2 MiB: the file and the form around it)."""
    with dedicated_server(tmp_path_factory.mktemp("small"), "--max-upload-mb", "1") as running:
        yield running


def signed_in(server, name):
    c = Client(server)
    assert c.login(name).status == 200
    return c


def connect(server, timeout=10):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def exchange(server, data, timeout=5):
    """Sends raw bytes, then reads until the server closes or `timeout` passes; returns what came back."""
    sock = connect(server, timeout)
    with contextlib.suppress(OSError):
        sock.sendall(data)
    received = b""
    with contextlib.suppress(OSError):  # a timeout or a reset ends the reading
        while chunk := sock.recv(65536):
            received += chunk
    sock.close()
    return received


def read_answer(sock, timeout):
    """The bytes the server answers on `sock` within `timeout` seconds (until it closes)."""
    sock.settimeout(timeout)
    received = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            received += chunk
    return received


def status_of(raw):
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", raw)
    return int(match.group(1)) if match else None


def statuses_of(raw):
    return [int(s) for s in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]


def body_of(raw):
    return raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""


def head(method, path, *lines):
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(line + "\r\n" for line in lines)
            + "\r\n").encode()


def session_lines(c):
    return [f"Cookie: leitong_session={c.cookie}", f"X-CSRF-Token: {c.csrf}"]


def raw_multipart(fields, files, boundary="bnd"):
    """A multipart body from raw bytes (fields: name -> bytes; files: (field, file name, data)); a '"' in a
    file name is sent backslash-escaped, as RFC 7578 quoting allows."""
    out = b""
    for name, value in fields.items():
        value = value.encode() if isinstance(value, str) else value
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
    for field, file_name, data in files:
        file_name = file_name.encode() if isinstance(file_name, str) else file_name
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="'.encode()
                + file_name.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
                + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n")
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_raw_multipart(c, path, fields, files):
    body, content_type = raw_multipart(fields, files)
    return c.request("POST", path, body, {"Content-Type": content_type, "X-CSRF-Token": c.csrf})


def build_zip(entries):
    """A zip of (name, data) entries, deflated; `name` as bytes is written as is (no UTF-8 flag). The same
    data object is compressed once, so that a bomb of many large entries is quick to build."""
    compressed = {}
    out, central = bytearray(), bytearray()
    for name, data in entries:
        raw_name = name.encode() if isinstance(name, str) else name
        flags = 0x800 if isinstance(name, str) and not name.isascii() else 0
        if id(data) not in compressed:
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            compressed[id(data)] = (deflate.compress(data) + deflate.flush(), zlib.crc32(data))
        packed, crc = compressed[id(data)]
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, 0, 0x21, crc, len(packed), len(data),
                           len(raw_name), 0) + raw_name + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 8, 0, 0x21, crc, len(packed),
                               len(data), len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name
    directory = len(out)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                                 directory, 0)
    return bytes(out)


def unique_report(marker):
    """A real report's text made distinct from every archived document by a line of its own."""
    return (REPORT_2024.read_text() + f"\n附注：本文件编号 {marker}。\n").encode()


def documents(inspector):
    reply = inspector.get("/api/v1/stats")
    assert reply.status == 200, reply.text
    return reply.json()["documents"]


def check_ids(c):
    reply = c.get("/api/v1/checks")
    assert reply.status == 200, reply.text
    return [check["id"] for check in reply.json()["checks"]]


def job_count(inspector):
    reply = inspector.get("/api/v1/jobs")
    assert reply.status == 200, reply.text
    return len(reply.json()["jobs"])


def user_names(inspector):
    page = inspector.get("/users")
    assert page.status == 200
    return re.findall(r"<tr><td>([^<]*)</td>", page.text)


def form(c, fields, token):
    """POSTs a page's form (urlencoded) to fields["_path"]; `token`: its csrf_token field (None: no field)."""
    fields = dict(fields)
    path = fields.pop("_path")
    if token is not None:
        fields["csrf_token"] = token
    return c.request("POST", path, urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"})


def upload_job(inspector, files, **fields):
    reply = inspector.post_multipart("/api/v1/documents", fields, files)
    assert reply.status == 202, reply.text
    return inspector.wait_for_job(reply.json()["job"])


# ---------------------------------------------------------------------------------------------------
# Oversized bodies


@pytest.mark.parametrize("declared", [3 << 20, 50 << 20])
def test_declared_oversized_upload_is_413_before_the_body(small_server, declared):
    """A check upload declaring more than the limit, of which only a few bytes are sent, is refused 413 at once."""
    luohu = signed_in(small_server, "luohu")
    before = check_ids(luohu)
    sock = connect(small_server)
    sock.sendall(head("POST", "/api/v1/checks", *session_lines(luohu),
                      "Content-Type: multipart/form-data; boundary=bnd", f"Content-Length: {declared}") + b"--bnd\r\n")
    started = time.time()
    answer = read_answer(sock, timeout=5)
    sock.close()
    assert time.time() - started < 4, "the server waited for the body"
    assert status_of(answer) == 413, answer[:200]
    assert "error" in json.loads(body_of(answer))
    assert small_server.alive()
    assert check_ids(luohu) == before


def test_declared_oversized_small_body_is_413_before_the_body(server):
    """A login (a small-body route) declaring 100 000 bytes is refused 413 before any body is sent."""
    sock = connect(server)
    sock.sendall(head("POST", "/api/v1/session", "Content-Type: application/json", "Content-Length: 100000"))
    answer = read_answer(sock, timeout=5)
    sock.close()
    assert status_of(answer) == 413, answer[:200]
    assert b"Connection: close" in answer
    assert "error" in json.loads(body_of(answer))
    assert server.alive()


def test_oversized_body_with_expect_100_continue_gets_413_and_no_continue(server):
    """A client asking `Expect: 100-continue` for an oversized body is told 413, never 100 Continue."""
    sock = connect(server)
    sock.sendall(head("POST", "/api/v1/session", "Content-Type: application/json", "Expect: 100-continue",
                      "Content-Length: 200000"))
    answer = read_answer(sock, timeout=5)
    sock.close()
    assert status_of(answer) == 413, answer[:200]
    assert b"100 Continue" not in answer


def test_413_message_names_the_real_limit(server):
    """The 413 for an oversized small body names a limit the client can act on, not '0 MiB'."""
    answer = exchange(server, head("POST", "/api/v1/session", "Content-Type: application/json",
                                   "Content-Length: 100000"))
    assert status_of(answer) == 413
    message = json.loads(body_of(answer))["error"]
    assert not re.search(r"(?<![0-9])0 MiB", message), message


def test_chunked_upload_growing_past_the_limit_is_413(small_server):
    """A chunked upload that never ends and grows past the 2 MiB body limit is refused 413 before it ends."""
    luohu = signed_in(small_server, "luohu")
    before = check_ids(luohu)
    sock = connect(small_server)
    sock.sendall(head("POST", "/api/v1/checks", *session_lines(luohu),
                      "Content-Type: multipart/form-data; boundary=bnd", "Transfer-Encoding: chunked"))
    chunk = b"x" * 65536
    sent = 0
    with contextlib.suppress(OSError):  # the server may stop reading once it has answered
        while sent < (4 << 20):
            sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sent += len(chunk)
    answer = read_answer(sock, timeout=10)  # no terminating chunk was ever sent
    sock.close()
    assert status_of(answer) == 413, answer[:200]
    assert "error" in json.loads(body_of(answer))
    assert small_server.alive()
    assert check_ids(luohu) == before


def padded_report(size):
    """The recycled draft padded with blank lines to `size` bytes: a real report, only larger."""
    data = RECYCLED.read_bytes()
    return data + b"\n" * (size - len(data))


def test_chunked_upload_over_1_mib_within_the_limit_is_accepted(luohu):
    """Control: a 1.5 MB draft (limit 64 MiB) sent chunked is checked (201)."""
    body, content_type = encode_multipart({"year": "2025"}, [("file", "big-draft.txt", padded_report(1_500_000))])
    chunks = b"".join(b"%x\r\n" % len(body[i:i + 65536]) + body[i:i + 65536] + b"\r\n"
                      for i in range(0, len(body), 65536)) + b"0\r\n\r\n"
    request = head("POST", "/api/v1/checks", *session_lines(luohu), f"Content-Type: {content_type}",
                   "Transfer-Encoding: chunked", "Connection: close")
    answer = exchange(luohu.server, request + chunks, timeout=60)
    assert status_of(answer) == 201, answer[:300]


def test_upload_over_1_mib_within_the_limit_is_accepted(luohu):
    """A 1.5 MB draft (limit 64 MiB) sent with a Content-Length, as browsers do, is checked (201)."""
    body, content_type = encode_multipart({"year": "2025"}, [("file", "big-draft.txt", padded_report(1_500_000))])
    request = head("POST", "/api/v1/checks", *session_lines(luohu), f"Content-Type: {content_type}",
                   f"Content-Length: {len(body)}", "Connection: close")
    answer = exchange(luohu.server, request + body, timeout=60)
    assert status_of(answer) == 201, answer[:300]


def test_anonymous_uploads_are_refused_before_their_body(tmp_path):
    """Uploads without a session are answered 401 at once, before any of their body is read: anonymous
    clients cannot hold the memory reserved for upload bodies, so they cannot lock out other people."""
    with dedicated_server(tmp_path) as running:
        held = []
        try:
            for i in range(40):  # chunked, and with a declared 1 MiB: neither is read
                sock = connect(running, timeout=30)
                framing = "Transfer-Encoding: chunked" if i % 2 else f"Content-Length: {1 << 20}"
                sock.sendall(head("POST", "/api/v1/checks", "Content-Type: multipart/form-data; boundary=b", framing)
                             + b"--b")
                held.append(sock)
            for sock in held:
                sock.settimeout(10)
                assert status_of(sock.recv(4096)) == 401
        finally:
            for sock in held:
                sock.close()
        assert running.alive()
        reply = Client(running).login("luohu")
        assert reply.status == 200, (reply.status, reply.text)


def test_one_address_cannot_take_every_connection(tmp_path):
    """A client holding 64 idle connections from one address gets no more, while a client from another
    address (127.0.0.2, also loopback) is still served."""
    with dedicated_server(tmp_path) as running:
        held = []
        try:
            for _ in range(64):
                held.append(connect(running, timeout=30))
            time.sleep(0.5)
            extra = connect(running, timeout=5)
            assert read_answer(extra, 3) == b""  # closed at once, unanswered
            extra.close()
            other = socket.create_connection(("127.0.0.1", running.port), timeout=10, source_address=("127.0.0.2", 0))
            other.sendall(head("GET", "/login", "Connection: close"))
            assert status_of(read_answer(other, 10)) == 200
            other.close()
        finally:
            for sock in held:
                sock.close()


# ---------------------------------------------------------------------------------------------------
# Files that are not documents


@pytest.mark.parametrize("name, data", [
    ("prog.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00binary program"),
    ("fake.pdf", b"this is not a pdf at all, only text named .pdf"),
    ("empty.txt", b""),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00legacy word document"),
    ("pic.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("fake.docx", b"PK\x03\x04 not really a zip"),
    ("broken.pdf", b"%PDF-1.4\ngarbage"),
])
def test_unreadable_file_is_415_with_the_cli_reason(luohu, archive, tmp_path, name, data):
    """A draft that is not a readable document is refused 415 with the reason `leitong check` gives."""
    before = check_ids(luohu)
    reply = luohu.post_multipart("/api/v1/checks", {"year": "2025"}, [("file", name, data)])
    assert reply.status == 415, reply.text
    message = reply.json()["error"]
    (tmp_path / name).write_bytes(data)
    cli = subprocess.run([leitong_bin(), "check", "--archive", str(archive), "--agency", LUOHU, "--year", "2025", name],
                         cwd=tmp_path, capture_output=True, text=True)
    assert cli.returncode == 1
    reason = cli.stderr.strip().removeprefix("leitong: ")
    assert reason.startswith(name + ": ")
    assert message.endswith(reason), (message, reason)
    assert check_ids(luohu) == before


# ---------------------------------------------------------------------------------------------------
# Zips uploaded by an inspector


def test_zip_entries_leaving_their_folder_are_refused(small_server, tmp_path):
    """Zip entries named ../x.txt, /etc/passwd.txt, C:\\x.txt … are refused by name; nothing is written anywhere."""
    inspector = signed_in(small_server, "inspector")
    before = documents(inspector)
    escaping = ["../x.txt", "/etc/passwd.txt", "C:\\x.txt", "..\\x.txt", "a/../../x.txt", "\\x.txt"]
    entries = [(name, unique_report(f"escape-{i}-{uuid.uuid4().hex}")) for i, name in enumerate(escaping)]
    entries.append(("reports/good.txt", unique_report(f"good-{uuid.uuid4().hex}")))
    watched = [pathlib.Path.cwd(), small_server.archive.parent, small_server.archive.parent.parent, tmp_path,
               pathlib.Path("/tmp")]
    listed = {folder: set(os.listdir(folder)) for folder in watched}
    assert not pathlib.Path("/etc/passwd.txt").exists()

    job = upload_job(inspector, [("files", "escape.zip", build_zip(entries))], agency=LUOHU, year="2026")

    assert job["state"] == "done", job
    assert job["added"] == 1 and job["total"] == len(entries)
    refused = {r["file"]: r["reason"] for r in job["refused"]}
    assert set(refused) == {f"escape.zip/{name}" for name in escaping}
    assert all("leaves the zip's folder" in reason for reason in refused.values()), refused
    assert documents(inspector) == before + 1
    assert not pathlib.Path("/etc/passwd.txt").exists()
    written = {"x.txt", "C:\\x.txt", "..\\x.txt", "\\x.txt", "passwd.txt"}
    for folder in watched:
        assert not (set(os.listdir(folder)) - listed[folder]) & written, folder


def test_zip_entry_unpacking_past_the_file_limit_is_refused(small_server):
    """A zip entry that unpacks to 8 MiB (the file limit is 1 MiB) is refused; the zip's other entry is added."""
    inspector = signed_in(small_server, "inspector")
    before = documents(inspector)
    zipped = build_zip([("huge.txt", bytes(8 << 20)), ("fine.txt", unique_report(uuid.uuid4().hex))])
    assert len(zipped) < 64 << 10
    job = upload_job(inspector, [("files", "one-bomb.zip", zipped)], agency=LUOHU, year="2027")
    assert job["state"] == "done" and job["added"] == 1, job
    assert [r["file"] for r in job["refused"]] == ["one-bomb.zip/huge.txt"]
    assert "unpacks past 1 MiB" in job["refused"][0]["reason"]
    assert documents(inspector) == before + 1


def test_zip_bomb_is_refused_whole(small_server):
    """A 600 KB zip whose 520 entries unpack to 520 MiB (past the 512 MiB limit) is refused whole; nothing is added."""
    inspector = signed_in(small_server, "inspector")
    before = documents(inspector)
    mib = bytes(1 << 20)
    bomb = build_zip([("fine.txt", unique_report(uuid.uuid4().hex))] + [(f"r{i:03}.txt", mib) for i in range(520)])
    assert len(bomb) < 1 << 20
    job = upload_job(inspector, [("files", "bomb.zip", bomb)], agency=LUOHU, year="2028")
    assert job["added"] == 0 and job["state"] == "done", job
    assert len(job["refused"]) == 1 and job["refused"][0]["file"] == "bomb.zip"
    assert "zip bomb" in job["refused"][0]["reason"]
    assert documents(inspector) == before
    assert small_server.alive()


def test_file_named_zip_that_is_not_a_zip_is_refused(small_server):
    """An upload named .zip holding garbage is refused by name with the reason; nothing is added."""
    inspector = signed_in(small_server, "inspector")
    before = documents(inspector)
    job = upload_job(inspector, [("files", "reports.zip", b"PK\x03\x04" + os.urandom(2000))], agency=LUOHU,
                     year="2028")
    assert job["added"] == 0 and [r["file"] for r in job["refused"]] == ["reports.zip"], job
    assert "zip" in job["refused"][0]["reason"]
    assert documents(inspector) == before


def wait_for_job_json(inspector, job_id, timeout=60):
    """The job's JSON once it has finished; every poll must answer 200."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        reply = inspector.get(f"/api/v1/jobs/{job_id}")
        assert reply.status == 200, (reply.status, reply.text)
        if reply.json()["state"] not in ("queued", "running"):
            return reply.json()
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running")


def test_zip_entry_refused_under_a_non_utf8_folder_keeps_the_jobs_api_working(tmp_path):
    """A refused zip entry under a folder named with byte 0xFF is listed, and the jobs API still answers."""
    with dedicated_server(tmp_path) as running:
        inspector = signed_in(running, "inspector")
        zipped = build_zip([(b"\xff/garbage.txt", b"\x00\x01\x02 not text")])
        reply = inspector.post_multipart("/api/v1/documents", {"agency": LUOHU, "year": "2031"},
                                         [("files", "odd.zip", zipped)])
        assert reply.status == 202
        job = wait_for_job_json(inspector, reply.json()["job"])
        assert len(job["refused"]) == 1 and job["refused"][0]["file"].startswith("odd.zip/")
        assert inspector.get("/api/v1/jobs").status == 200


def test_zip_entry_added_under_a_non_utf8_folder_does_not_poison_the_archive(tmp_path):
    """A report inside a zip folder named with byte 0xFE is added under a clean name; checks and yoy still work."""
    with dedicated_server(tmp_path) as running:
        inspector = signed_in(running, "inspector")
        luohu = signed_in(running, "luohu")
        assert luohu.check().status == 201
        report = REPORT_2024.read_text().replace("2024", "2031").encode()
        reply = inspector.post_multipart("/api/v1/documents", {"agency": LUOHU, "year": "2031"},
                                         [("files", "odd.zip", build_zip([(b"\xfe/report.txt", report)]))])
        assert reply.status == 202
        job = wait_for_job_json(inspector, reply.json()["job"])
        assert job["added"] == 1, job
        assert inspector.get("/api/v1/yoy?year=2031").status == 200
        reply = luohu.check()
        assert reply.status == 201, reply.text
        cli = subprocess.run([leitong_bin(), "check", "--archive", str(running.archive), "--agency", LUOHU,
                              "--year", "2025", "--format", "json", str(RECYCLED)], capture_output=True, text=True)
        assert cli.returncode == 0, cli.stderr


# ---------------------------------------------------------------------------------------------------
# Malformed multipart


GOOD_FILE = b'--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nsome draft text\r\n'


@pytest.mark.parametrize("content_type, body, status", [
    ("multipart/form-data; boundary=bnd", GOOD_FILE, 400),  # no closing boundary
    ("multipart/form-data; boundary=bnd", b"--bnd\r\nsome draft text with no part headers\r\n--bnd--\r\n", 400),
    ("multipart/form-data; boundary=bnd", b"--bnd\r\nX-Other: 1\r\n\r\ndata\r\n--bnd--\r\n", 400),  # no disposition
    ("multipart/form-data; boundary=other", GOOD_FILE + b"--bnd--\r\n", 400),  # wrong boundary
    ("multipart/form-data; boundary=bnd", b"", 400),  # empty body
    ("multipart/form-data; boundary=bnd", b"--bnd", 400),  # ends after the first delimiter
    ("multipart/form-data; boundary=bnd", b"--bnd--\r\n", 400),  # no parts: no file
    (None, GOOD_FILE + b"--bnd--\r\n", 415),  # no Content-Type
    ("text/plain", GOOD_FILE + b"--bnd--\r\n", 415),
    ("multipart/form-data", GOOD_FILE + b"--bnd--\r\n", 415),  # no boundary
    ('multipart/form-data; boundary="bnd', GOOD_FILE + b"--bnd--\r\n", 415),  # unterminated quote
    ("multipart/form-data; boundary=" + "b" * 71, GOOD_FILE + b"--bnd--\r\n", 415),  # boundary too long
    ("multipart/form-data; boundary=bnd",
     b'--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.txt\r\n\r\nx\r\n--bnd--\r\n', 400),
])
def test_malformed_multipart_is_refused_never_500(luohu, inspector, content_type, body, status):
    """A malformed form is refused 400 (form) or 415 (content type) with a JSON reason, on both upload routes."""
    before_checks, before_jobs = check_ids(luohu), job_count(inspector)
    for c, path in [(luohu, "/api/v1/checks"), (inspector, "/api/v1/documents")]:
        headers = {"X-CSRF-Token": c.csrf}
        if content_type:
            headers["Content-Type"] = content_type
        reply = c.request("POST", path, body, headers)
        assert reply.status == status, (path, reply.status, reply.text)
        assert reply.json()["error"]
    assert check_ids(luohu) == before_checks and job_count(inspector) == before_jobs
    assert luohu.server.alive()


def test_truncated_multipart_bodies_are_never_500(luohu):
    """A valid form cut short at 40 places is refused (4xx) each time, never answered 500."""
    body, content_type = encode_multipart({"year": "2025"}, [("file", "draft.txt", b"short draft text " * 20)])
    # Cutting 1 or 2 bytes leaves "--boundary--": complete. Every cut before that is malformed.
    cuts = sorted({int(len(body) * i / 40) for i in range(40)} | {len(body) - n for n in range(3, 14)})
    for cut in cuts:
        reply = luohu.request("POST", "/api/v1/checks", body[:cut],
                              {"Content-Type": content_type, "X-CSRF-Token": luohu.csrf})
        assert 400 <= reply.status < 500, (cut, reply.status, reply.text)
    assert luohu.server.alive()


# ---------------------------------------------------------------------------------------------------
# Slow clients


def test_slow_clients_are_dropped_and_do_not_block_others(server):
    """Slowloris: headers sent a byte a second are cut at 15 s, a stalled body at 20 s; others are served meanwhile."""
    closed = {}

    def trickle_headers():
        sock = connect(server, timeout=40)
        started = time.time()
        with contextlib.suppress(OSError):
            for byte in b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 60:
                sock.send(bytes([byte]))
                time.sleep(1)
                sock.settimeout(0.01)
                try:
                    if sock.recv(100) == b"":
                        break
                except socket.timeout:
                    pass
        closed["headers"] = time.time() - started
        sock.close()

    def stall_body():
        sock = connect(server, timeout=40)
        started = time.time()
        sock.sendall(head("POST", "/api/v1/session", "Content-Type: application/json", "Content-Length: 1000")
                     + b'{"name": "lu')
        closed["body_answer"] = read_answer(sock, timeout=40)
        closed["body"] = time.time() - started
        sock.close()

    attackers = [threading.Thread(target=trickle_headers), threading.Thread(target=stall_body)]
    for t in attackers:
        t.start()
    c = Client(server)
    served = []
    while any(t.is_alive() for t in attackers):
        started = time.time()
        assert c.get("/login").status in (200, 303)
        served.append(time.time() - started)
        time.sleep(2)
    for t in attackers:
        t.join()
    assert len(served) >= 8 and max(served) < 2, served
    assert 13 <= closed["headers"] <= 19, closed
    assert 18 <= closed["body"] <= 25, closed
    assert closed["body_answer"] == b""  # dropped, not answered
    assert server.alive()


# ---------------------------------------------------------------------------------------------------
# Markup in reports and names


SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
HOSTILE_NAME = '"><img src=x onerror=alert(3)>.txt'


def assert_escaped(page, raw, escaped):
    assert raw not in page
    assert escaped in page, escaped


def csp_directives(reply):
    policy = reply.headers.get("content-security-policy", "")
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def assert_scripts_carry_the_nonce(reply):
    directives = csp_directives(reply)
    assert directives.get("default-src") == ["'none'"], directives
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts, scripts
    nonces = [s[len("'nonce-"):-1] for s in scripts if s.startswith("'nonce-")]
    assert len(nonces) == 1 and re.fullmatch(r"[0-9a-f]{32}", nonces[0]), scripts
    tags = re.findall(r"<script\b[^>]*>", reply.text, flags=re.I)
    assert all(tag == f'<script nonce="{nonces[0]}">' for tag in tags), tags
    return nonces[0], len(tags)


def test_markup_in_report_text_and_file_name_is_escaped(luohu, inspector):
    """A draft holding <script> and an onerror attribute, named with markup, is shown escaped everywhere."""
    text = RECYCLED.read_text()
    middle = len(text) // 2
    draft = (text[:middle] + f"\n{SCRIPT}\n{IMG}\n" + text[middle:]).encode()
    reply = post_raw_multipart(luohu, "/api/v1/checks", {"year": "2025"}, [("file", HOSTILE_NAME, draft)])
    assert reply.status == 201, reply.text
    check_id = reply.json()["id"]
    assert reply.json()["check"]["document"]["file"] == HOSTILE_NAME
    for c, path in [(luohu, f"/api/v1/checks/{check_id}/evidence"), (luohu, f"/checks/{check_id}"),
                    (luohu, "/checks"), (inspector, "/checks"), (inspector, f"/checks/{check_id}")]:
        page = c.get(path)
        assert page.status == 200 and page.headers["content-type"].startswith("text/html"), path
        assert "<img" not in page.text, path
        assert_escaped(page.text, HOSTILE_NAME, "&quot;&gt;&lt;img src=x onerror=alert(3)&gt;.txt")
        if "/checks/" in path:
            assert_escaped(page.text, SCRIPT, "&lt;script&gt;alert(1)&lt;/script&gt;")
            assert_escaped(page.text, IMG, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")
        assert_scripts_carry_the_nonce(page)


def test_csp_nonce_is_fresh_per_response_and_scripts_need_it(inspector):
    """HTML pages carry a CSP whose script-src is one fresh nonce (no 'unsafe-inline'); the page's scripts carry it."""
    seen = set()
    for path in ["/yoy?year=2024", "/yoy?year=2024", "/checks", "/upload", "/users"]:
        page = inspector.get(path)
        assert page.status == 200, path
        nonce, scripts = assert_scripts_carry_the_nonce(page)
        if path.startswith("/yoy"):
            assert scripts >= 1  # the table's sorting script runs only with the nonce
        seen.add(nonce)
    assert len(seen) == 5
    assert "content-security-policy" not in inspector.get("/api/v1/stats").headers  # JSON: no page to guard
    reply = inspector.get("/api/v1/stats")
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_markup_in_refused_file_names_is_escaped_on_the_job_page(small_server):
    """File names with markup in a job's refusal list (uploads and zip entries) are escaped on the job page."""
    inspector = signed_in(small_server, "inspector")
    before = documents(inspector)
    zipped = build_zip([('"><svg onload=alert(4)>.exe', b"MZ program"), ("<b>bold</b>.txt", b"")])
    reply = post_raw_multipart(inspector, "/api/v1/documents", {},
                               [("files", HOSTILE_NAME, b""), ("files", "<i>x</i>.zip", zipped)])
    assert reply.status == 202, reply.text
    job = inspector.wait_for_job(reply.json()["job"])
    assert job["added"] == 0 and len(job["refused"]) == 3, job
    page = inspector.get(f"/jobs/{job['job']}")
    assert page.status == 200
    assert "<img" not in page.text and "<svg" not in page.text and "<b>bold" not in page.text
    assert "&quot;&gt;&lt;img src=x onerror=alert(3)&gt;.txt" in page.text
    assert "&quot;&gt;&lt;svg onload=alert(4)&gt;.exe" in page.text
    assert_scripts_carry_the_nonce(page)
    assert documents(inspector) == before


def test_markup_in_a_user_name_is_escaped(inspector, client):
    """A user named <script>… is listed escaped; a login form echoing a hostile name escapes it."""
    name = f"<script>alert({uuid.uuid4().hex[:6]})</script>"
    reply = form(inspector, {"_path": "/users", "name": name, "role": "agency", "agency": LUOHU,
                             "password": "long-enough-pass"}, inspector.csrf)
    assert reply.status == 303, reply.text
    try:
        page = inspector.get("/users")
        assert_escaped(page.text, name, name.replace("<", "&lt;").replace(">", "&gt;"))
        hostile = '"><script>alert(5)</script>'
        login = form(client, {"_path": "/login", "name": hostile, "password": "wrong-password"}, None)
        assert login.status == 401
        assert_escaped(login.text, hostile, "&quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt;")
    finally:
        assert form(inspector, {"_path": "/users/remove", "name": name}, inspector.csrf).status == 303
    assert all("alert" not in n for n in user_names(inspector))


# ---------------------------------------------------------------------------------------------------
# Cross-site requests


def bad_tokens(c, other):
    return {"none": None, "empty": "", "wrong": uuid.uuid4().hex * 2, "upper case": c.csrf.upper(),
            "truncated": c.csrf[:-1], "another session's": other.csrf}


def test_api_state_change_without_its_csrf_token_is_403(luohu, shapingba):
    """POST /api/v1/checks and DELETE /api/v1/session with no, a wrong, or another session's token are 403."""
    before = check_ids(luohu)
    data = RECYCLED.read_bytes()
    for label, token in bad_tokens(luohu, shapingba).items():
        headers = {} if token is None else {"X-CSRF-Token": token}
        reply = luohu.post_multipart("/api/v1/checks", {"year": "2025"}, [("file", "d.txt", data)], csrf=False,
                                     headers=headers)
        assert reply.status == 403, (label, reply.text)
        assert "CSRF" in reply.json()["error"]
        reply = luohu.request("DELETE", "/api/v1/session", headers=headers)
        assert reply.status == 403, (label, reply.text)
    assert check_ids(luohu) == before  # nothing checked, and the session was not ended


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example",
                                    "https://127.0.0.1:1"])
def test_cross_site_origin_is_403_even_with_the_token(luohu, client, origin):
    """A state-changing request from another site's page (Origin) is 403, even with the right token and cookie."""
    before = check_ids(luohu)
    reply = luohu.post_multipart("/api/v1/checks", {"year": "2025"}, [("file", "d.txt", RECYCLED.read_bytes())],
                                 headers={"Origin": origin})
    assert reply.status == 403, reply.text
    reply = luohu.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": luohu.csrf, "Origin": origin})
    assert reply.status == 403
    # Login CSRF: another site cannot sign a browser in to the attacker's account.
    reply = client.post_json("/api/v1/session", {"name": "shapingba", "password": USERS["shapingba"][2]},
                             csrf=False, headers={"Origin": origin})
    assert reply.status == 403 and client.cookie is None
    assert check_ids(luohu) == before


def test_same_origin_request_is_accepted(luohu):
    """Control: the server's own Origin with the right token is accepted."""
    reply = luohu.post_multipart("/api/v1/checks", {"year": "2025"}, [("file", "d.txt", RECYCLED.read_bytes())],
                                 headers={"Origin": luohu.server.base})
    assert reply.status == 201, reply.text


def test_form_posts_without_a_valid_csrf_token_are_403(inspector, luohu, shapingba):
    """Page forms (/checks, /upload, /users, /users/remove, /logout) without their session's token are 403."""
    before = (user_names(inspector), check_ids(inspector), job_count(inspector))
    for label, token in bad_tokens(inspector, shapingba).items():
        for path, fields in [("/users", {"name": "csrf-victim", "role": "inspector", "password": "long-enough-pass"}),
                             ("/users/remove", {"name": "luohu"}), ("/logout", {})]:
            reply = form(inspector, {"_path": path, **fields}, token)
            assert reply.status == 403, (label, path, reply.status)
            assert reply.headers["content-type"].startswith("text/html")
        for path, field in [("/checks", "file"), ("/upload", "files")]:
            values = {"year": "2025", "agency": LUOHU}
            if token is not None:
                values["csrf_token"] = token
            reply = inspector.post_multipart(path, values, [(field, "d.txt", RECYCLED.read_bytes())], csrf=False)
            assert reply.status == 403, (label, path, reply.status)
    assert (user_names(inspector), check_ids(inspector), job_count(inspector)) == before
    assert "luohu" in before[0] and "csrf-victim" not in before[0]
    assert luohu.get("/api/v1/checks").status == 200  # luohu was not removed
    # Control: the same logout form with the session's own token signs out.
    reply = form(inspector, {"_path": "/logout"}, inspector.csrf)
    assert reply.status == 303 and reply.headers["location"] == "/login"
    assert inspector.get("/api/v1/stats").status == 401


# ---------------------------------------------------------------------------------------------------
# Sessions and cookies


def test_forged_and_malformed_session_cookies_are_refused(luohu, shapingba):
    """Forged, altered, ended or malformed session cookies get 401 (API) or a redirect to /login (pages)."""
    ended = signed_in(luohu.server, "luohu")
    ended_cookie = ended.cookie
    assert ended.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": ended.csrf}).status == 204
    valid = luohu.cookie
    forged = {
        "random hex": os.urandom(32).hex(),
        "upper case": valid.upper(),
        "one digit changed": valid[:-1] + ("0" if valid[-1] != "0" else "1"),
        "too long": valid * 200,
        "too short": valid[:32],
        "not hex": "z" * 64,
        "with a semicolon": valid[:30] + ";" + valid[30:],
        "with a space": " " + valid[:-1],
        "csrf token as cookie": luohu.csrf,
        "ended session": ended_cookie,
        "empty": "",
        "control bytes": "\x01" * 64,
    }
    for label, value in forged.items():
        cookie = f"leitong_session={value}"
        reply = luohu.get("/api/v1/checks", headers={"Cookie": cookie})
        page = luohu.get("/checks", headers={"Cookie": cookie})
        assert LUOHU not in reply.text and LUOHU not in page.text
        if label == "control bytes":  # not a valid header value: the HTTP parser refuses it
            assert reply.status == page.status == 400
            continue
        assert reply.status == 401, (label, reply.status)
        assert page.status == 303 and page.headers["location"] == "/login", label
    # A cookie named like the session cookie, and two cookies where the first is forged.
    assert luohu.get("/api/v1/checks", headers={"Cookie": f"xleitong_session={valid}"}).status == 401
    two = f"leitong_session={'0' * 64}; leitong_session={valid}"
    assert luohu.get("/api/v1/checks", headers={"Cookie": two}).status == 401
    # Control: the real cookie still works, and another agency's cookie sees only that agency's checks.
    assert luohu.get("/api/v1/checks").status == 200
    for check in shapingba.get("/api/v1/checks").json()["checks"]:
        assert check["agency"] == SHAPINGBA


def test_session_of_a_removed_user_is_refused(inspector, server):
    """Once an inspector removes a user, that user's signed-in cookie gets 401."""
    name = f"temp-{uuid.uuid4().hex[:8]}"
    password = "temporary-pass-1"
    body = urlencode({"name": name, "role": "agency", "agency": SHAPINGBA, "password": password,
                      "csrf_token": inspector.csrf}).encode()
    urlencoded = {"Content-Type": "application/x-www-form-urlencoded"}
    assert inspector.request("POST", "/users", body, urlencoded).status == 303
    temp = Client(server)
    assert temp.login(name, password).status == 200
    assert temp.get("/api/v1/checks").status == 200
    body = urlencode({"name": name, "csrf_token": inspector.csrf}).encode()
    assert inspector.request("POST", "/users/remove", body, urlencoded).status == 303
    assert temp.get("/api/v1/checks").status == 401
    assert temp.get("/checks").status == 303
    assert temp.login(name, password).status == 401


# ---------------------------------------------------------------------------------------------------
# Guessed check ids and other agencies' data


def test_another_agencys_check_is_404_like_a_missing_one(luohu, shapingba):
    """shapingba asking for luohu's real check gets the same 404 as for an id that does not exist."""
    reply = luohu.check()
    assert reply.status == 201
    real = reply.json()["id"]
    missing = uuid.uuid4().hex
    for suffix in ["", "/evidence", "/report.pdf"]:
        theirs = shapingba.get(f"/api/v1/checks/{real}{suffix}")
        nothing = shapingba.get(f"/api/v1/checks/{missing}{suffix}")
        assert theirs.status == nothing.status == 404, suffix
        assert theirs.body == nothing.body and theirs.headers["content-type"] == nothing.headers["content-type"]
    theirs, nothing = shapingba.get(f"/checks/{real}"), shapingba.get(f"/checks/{missing}")
    assert theirs.status == nothing.status == 404
    assert theirs.body == nothing.body  # the same error page, with shapingba's own navigation
    assert real not in [c["id"] for c in shapingba.get("/api/v1/checks").json()["checks"]]
    assert "总复制比" not in theirs.text
    assert luohu.get(f"/api/v1/checks/{real}").status == 200  # control: the owner sees it


@pytest.mark.parametrize("guess", ["1", "0" * 32, "f" * 32, "..", "../..", "%2e%2e", "%2e%2e%2f%2e%2e%2fstats",
                                   "..%2f..%2fv1%2fstats", "a" * 5000, "%00", "%ff" * 16, "-1", "*"])
def test_guessed_or_traversal_check_ids_are_404(luohu, inspector, guess):
    """Short, sequential, traversal (../, %2e%2e) or very long check ids are 404 for anyone, never another resource."""
    for c in (luohu, inspector):
        for path in [f"/api/v1/checks/{guess}", f"/api/v1/checks/{guess}/evidence", f"/checks/{guess}"]:
            reply = c.get(path)
            expected = 400 if guess == "%00" else 404
            assert reply.status == expected, (path, reply.status, reply.text[:200])
            assert '"documents"' not in reply.text and "总复制比" not in reply.text


def test_upper_case_of_a_real_check_id_is_404(luohu):
    """A real check id in upper case does not reach the check."""
    real = luohu.check().json()["id"]
    assert luohu.get(f"/api/v1/checks/{real.upper()}").status == 404
    assert luohu.get(f"/api/v1/checks/{real}").status == 200


def test_raw_dot_dot_path_is_not_normalised_to_another_route(luohu):
    """/api/v1/checks/../../v1/stats sent literally is 404, not the inspectors' stats."""
    for path in ["/api/v1/checks/../../v1/stats", "/api/v1/checks/%2E%2E/%2E%2E/v1/stats", "/checks/../users"]:
        answer = exchange(luohu.server, head("GET", path, f"Cookie: leitong_session={luohu.cookie}",
                                             "Connection: close"))
        assert status_of(answer) == 404, (path, answer[:200])
        assert b'"documents"' not in answer


INSPECTOR_READS = ["/api/v1/stats", "/api/v1/yoy?year=2024", "/api/v1/boilerplate", "/api/v1/clusters",
                   "/api/v1/jobs", f"/api/v1/jobs/{'0' * 32}", "/users", "/upload", "/boilerplate", "/clusters",
                   "/yoy?year=2024", "/yoy/2024/1", f"/jobs/{'0' * 32}"]


def test_agency_users_get_403_on_inspector_routes(luohu, inspector):
    """An agency session gets 403 on every inspector route, and no user, job or check is made or removed."""
    for path in INSPECTOR_READS:
        reply = luohu.get(path)
        assert reply.status == 403, (path, reply.status)
    writes = [
        ("/api/v1/documents", "multipart"), ("/upload", "multipart"),
        ("/users", urlencode({"name": "agency-made", "role": "inspector", "password": "long-enough-pass"})),
        ("/users/remove", urlencode({"name": "inspector"})),
    ]
    for path, kind in writes:
        if kind == "multipart":
            reply = luohu.post_multipart(path, {"agency": LUOHU, "year": "2025"},
                                         [("files", "r.txt", unique_report(uuid.uuid4().hex))])
        else:
            reply = luohu.request("POST", path, kind.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                                               "X-CSRF-Token": luohu.csrf})
        assert reply.status == 403, (path, reply.status)
    assert luohu.get("/").status == 303  # the dashboard sends an agency to its checks
    # An agency checks only its own drafts.
    reply = luohu.post_multipart("/api/v1/checks", {"year": "2025", "agency": SHAPINGBA},
                                 [("file", "d.txt", RECYCLED.read_bytes())])
    assert reply.status == 403
    names = user_names(inspector)
    assert "agency-made" not in names and "inspector" in names
    assert all(job["user"] != "luohu" for job in inspector.get("/api/v1/jobs").json()["jobs"])


# ---------------------------------------------------------------------------------------------------
# Password guessing


def test_login_is_throttled_per_name_with_retry_after(tmp_path):
    """After 3 wrong passwords for a name, even the right one gets 429 with Retry-After; other names still sign in."""
    with dedicated_server(tmp_path, "--login-failures", "3") as running:
        c = Client(running)
        for _ in range(3):
            assert c.login("luohu", "wrong-password").status == 401
        reply = c.login("luohu")
        assert reply.status == 429, reply.text
        assert 1 <= int(reply.headers["retry-after"]) <= 901
        assert "error" in reply.json() and c.cookie is None
        page = c.request("POST", "/login", f"name=luohu&password={USERS['luohu'][2]}".encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})
        assert page.status == 429 and "retry-after" in page.headers and c.cookie is None
        assert Client(running).login("shapingba").status == 200
        assert Client(running).login("luohu").status == 429


def test_login_throttle_per_address_ignores_a_forged_x_forwarded_for(tmp_path):
    """Guessing across many names from one address is throttled; a forged X-Forwarded-For does not reset it."""
    with dedicated_server(tmp_path, "--login-failures", "1") as running:  # 10 failures per address
        c = Client(running)
        for i in range(10):
            reply = c.post_json("/api/v1/session", {"name": f"guess-{i}", "password": "wrong-password"}, csrf=False,
                                headers={"X-Forwarded-For": f"10.0.0.{i}"})
            assert reply.status == 401
        reply = c.post_json("/api/v1/session", {"name": "inspector", "password": USERS["inspector"][2]}, csrf=False,
                            headers={"X-Forwarded-For": "10.9.9.9"})
        assert reply.status == 429 and int(reply.headers["retry-after"]) >= 1


# ---------------------------------------------------------------------------------------------------
# Bytes that are not (quite) HTTP


def test_oversized_headers_are_431(server):
    """A 20 KiB header, or a thousand headers, are refused 431; the server lives on."""
    for request in [head("GET", "/login", "X-Big: " + "a" * 20000),
                    head("GET", "/login", *[f"X-H{i}: {'b' * 20}" for i in range(1000)]),
                    head("GET", "/login?" + "q" * 20000)]:
        assert status_of(exchange(server, request)) == 431
    assert server.alive()


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 4,
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(200),  # a TLS ClientHello
    b"GET /login\r\n\r\n",  # HTTP/0.9
    b"GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
    b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"\r\n\r\n\r\n",
])
def test_garbage_instead_of_http_is_400_or_closed(server, data):
    """Bytes that are not a valid HTTP/1.1 request are answered 400 or the connection closed; never 5xx or a crash."""
    answer = exchange(server, data, timeout=20)
    assert answer == b"" or status_of(answer) == 400, answer[:200]
    assert server.alive()
    assert Client(server).get("/login").status == 200


def test_http_1_0_is_answered_and_closed(server):
    """An HTTP/1.0 request gets its page and the connection is closed after it."""
    sock = connect(server)
    sock.sendall(b"GET /login HTTP/1.0\r\n\r\n")
    started = time.time()
    answer = read_answer(sock, timeout=10)
    sock.close()
    assert status_of(answer) == 200 and b"</html>" in answer
    assert time.time() - started < 5  # closed by the server, not by the timeout


def test_pipelined_requests_are_answered_in_order(server):
    """Four requests sent at once are answered once each, in order."""
    answer = exchange(server, head("GET", "/login") + head("GET", "/nothing-here") + head("HEAD", "/api/v1/stats")
                      + head("GET", "/login?again=1", "Connection: close"), timeout=10)
    assert statuses_of(answer) == [200, 303, 401, 200], answer[:300]
    assert answer.count(b"</html>") == 2  # the login page twice; the 303 and the HEAD carry no body


def test_head_answers_without_a_body(luohu):
    """HEAD of a page and of the API answers 200 with its headers and no body (the next answer follows at once)."""
    for path in ["/api/v1/checks", "/checks", f"/checks/{luohu.check().json()['id']}"]:
        answer = exchange(luohu.server, head("HEAD", path, f"Cookie: leitong_session={luohu.cookie}")
                          + head("GET", "/elsewhere", "Connection: close"))
        assert statuses_of(answer) == [200, 303], (path, answer[:300])
        first, second = answer.split(b"HTTP/1.1 303", 1)
        assert first.endswith(b"\r\n\r\n"), first[-100:]


def test_head_of_the_login_page_answers_as_get_does(client):
    """HEAD /login, signed out, answers 200 as GET /login does, not a redirect to itself."""
    assert client.get("/login").status == 200
    headed = client.request("HEAD", "/login")
    assert headed.status == 200, (headed.status, headed.headers.get("location"))


def test_head_content_length_is_that_of_get(luohu):
    """HEAD's Content-Length, when sent, is the length GET's body would have."""
    get = luohu.get("/api/v1/checks")
    headed = luohu.request("HEAD", "/api/v1/checks")
    assert headed.status == 200 and headed.body == b""
    assert headed.headers.get("content-length", str(len(get.body))) == str(len(get.body))


@pytest.mark.parametrize("method", ["PUT", "TRACE", "PATCH", "OPTIONS", "DELETE", "CONNECT", "PROPFIND", "FOO"])
def test_unusual_methods_are_refused_never_500(luohu, method):
    """PUT, TRACE, DELETE … on API routes are 404/405 when signed in, 401 when not; nothing is echoed or deleted."""
    real = luohu.check().json()["id"]
    for path in ["/api/v1/checks", f"/api/v1/checks/{real}", "/api/v1/session/x", "/api/v1/stats"]:
        answer = exchange(luohu.server, head(method, path, *session_lines(luohu), "Connection: close"))
        assert status_of(answer) in (404, 405), (method, path, answer[:200])
        assert luohu.cookie.encode() not in answer and luohu.csrf.encode() not in answer  # no TRACE echo
        anonymous = exchange(luohu.server, head(method, path, "Connection: close"))
        assert status_of(anonymous) == 401, (method, path, anonymous[:200])
    assert luohu.get(f"/api/v1/checks/{real}").status == 200
    assert luohu.server.alive()


@pytest.mark.parametrize("method", ["PUT", "TRACE", "DELETE"])
def test_unusual_methods_on_pages_without_token_are_403_not_415(luohu, method):
    """A page route asked with an unusual method and no CSRF token is refused 403/404/405, not 415."""
    answer = exchange(luohu.server, head(method, "/checks", f"Cookie: leitong_session={luohu.cookie}",
                                         "Connection: close"))
    assert status_of(answer) in (403, 404, 405), answer[:200]


# ---------------------------------------------------------------------------------------------------
# Bytes that are not UTF-8 in fields echoed by the JSON API


@pytest.mark.parametrize("case", ["yoy query 0xFF", "yoy year cut in a character", "check year 0xFF",
                                  "documents kind 0xFF"])
def test_non_utf8_fields_are_400_not_500(luohu, inspector, case):
    """A year or kind field of bytes that are not UTF-8 is refused 400 with a JSON reason, not 500."""
    if case == "yoy query 0xFF":
        reply = inspector.get("/api/v1/yoy?year=%FF")
    elif case == "yoy year cut in a character":
        reply = inspector.get("/api/v1/yoy?year=" + "%E5%B9%B4" * 6)
    elif case == "check year 0xFF":
        body, content_type = raw_multipart({"year": b"\xff\xfe"}, [("file", b"d.txt", RECYCLED.read_bytes())])
        reply = luohu.request("POST", "/api/v1/checks", body,
                              {"Content-Type": content_type, "X-CSRF-Token": luohu.csrf})
    else:
        before = job_count(inspector)
        body, content_type = raw_multipart({"kind": b"\xff"}, [("files", b"r.txt", b"text")])
        reply = inspector.request("POST", "/api/v1/documents", body,
                                  {"Content-Type": content_type, "X-CSRF-Token": inspector.csrf})
        assert job_count(inspector) == before
    assert reply.status == 400, (reply.status, reply.text)
    assert reply.json()["error"]


# ---------------------------------------------------------------------------------------------------
# After everything


def test_zz_server_survived_and_the_archive_verifies(server, archive, inspector):
    """After every attack the shared server still answers, and `leitong verify` passes on its archive."""
    assert server.alive()
    assert inspector.get("/api/v1/stats").status == 200
    assert Client(server).get("/login").status == 200
    verify(archive)
