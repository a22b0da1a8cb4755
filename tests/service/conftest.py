"""Shared harness for the service tests: a real `leitong serve` on 127.0.0.1, over an archive of the
bundled corpora, with three accounts, and an HTTP client that keeps its session cookie and CSRF
token. Tests talk to the server over TCP only, as a browser or a hostile client would."""

import http.client
import json
import os
import pathlib
import re
import signal
import subprocess
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPORA = ROOT / "corpora"
RECYCLED = CORPORA / "cases" / "luohu-minzheng-2025.txt"  # 深圳市罗湖区民政局 2025, recycled from 2024

USERS = {
    "inspector": ("inspector", "", "inspector-pass-1"),
    "luohu": ("agency", "深圳市罗湖区民政局", "luohu-pass-123"),
    "shapingba": ("agency", "重庆市沙坪坝区民政局", "shapingba-pass-1"),
}


def leitong_bin():
    path = os.environ.get("LEITONG_BIN") or str(ROOT / "build" / "leitong")
    if not pathlib.Path(path).exists():
        raise RuntimeError(f"{path}: no leitong binary (build first, or set LEITONG_BIN)")
    return path


def make_archive(folder, users=USERS):
    """An archive of corpora/manifest.csv with the given accounts; returns its path."""
    archive = folder / "archive.db"
    subprocess.run([leitong_bin(), "add", "--quiet", "--archive", str(archive), "--manifest",
                    str(CORPORA / "manifest.csv")], check=True, capture_output=True)
    for name, (role, agency, password) in users.items():
        command = [leitong_bin(), "user", "add", "--archive", str(archive), "--name", name, "--role", role]
        if agency:
            command += ["--agency", agency]
        subprocess.run(command, input=password + "\n", text=True, check=True, capture_output=True)
    return archive


class Server:
    """`leitong serve` on a free port of 127.0.0.1; stopped with SIGTERM."""

    def __init__(self, archive, *extra):
        self.archive = archive
        self.log = open(archive.parent / f"serve-{uuid.uuid4().hex[:8]}.log", "w+")
        self.process = subprocess.Popen(
            [leitong_bin(), "serve", "--archive", str(archive), "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"leitong serve did not start: {line!r}")
        self.port = int(match.group(1))
        self.base = f"http://127.0.0.1:{self.port}"

    def alive(self):
        return self.process.poll() is None

    def stop(self, timeout=60):
        """SIGTERM, then the exit status (the server drains and closes the archive)."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.process.stdout.close()
            self.log.close()

    def stderr(self):
        if not self.log.closed:
            self.log.flush()
        return pathlib.Path(self.log.name).read_text(errors="replace")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value (the last of repeated headers)
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class Client:
    """An HTTP client with one session: the cookie from logging in, and its CSRF token."""

    def __init__(self, server):
        self.server = server
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, headers=None, timeout=120):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        all_headers = dict(headers or {})
        if self.cookie and "Cookie" not in all_headers:
            all_headers["Cookie"] = f"leitong_session={self.cookie}"
        connection.request(method, path, body=body, headers=all_headers)
        reply = connection.getresponse()
        data = reply.read()
        response = Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, data)
        for key, value in reply.getheaders():
            if key.lower() == "set-cookie" and value.startswith("leitong_session="):
                self.cookie = value.split(";")[0].split("=", 1)[1] or None
                self.set_cookie = value
        connection.close()
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_json(self, path, value, csrf=True, headers=None):
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if csrf and self.csrf:
            all_headers.setdefault("X-CSRF-Token", self.csrf)
        return self.request("POST", path, json.dumps(value).encode(), all_headers)

    def post_multipart(self, path, fields=None, files=None, csrf=True, headers=None):
        """files: list of (field, file name, bytes)."""
        body, content_type = encode_multipart(fields or {}, files or [])
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if csrf and self.csrf:
            all_headers.setdefault("X-CSRF-Token", self.csrf)
        return self.request("POST", path, body, all_headers)

    def login(self, name, password=None):
        password = password if password is not None else USERS[name][2]
        reply = self.post_json("/api/v1/session", {"name": name, "password": password}, csrf=False)
        if reply.status == 200:
            self.csrf = reply.json()["csrf_token"]
        return reply

    def check(self, path=RECYCLED, year="2025", name=None, **fields):
        data = pathlib.Path(path).read_bytes()
        return self.post_multipart("/api/v1/checks", {"year": year, **fields},
                                   [("file", name or pathlib.Path(path).name, data)])

    def wait_for_job(self, job, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            progress = self.get(f"/api/v1/jobs/{job}").json()
            if progress["state"] not in ("queued", "running"):
                return progress
            time.sleep(0.2)
        raise AssertionError(f"job {job} still running after {timeout} s")


def encode_multipart(fields, files):
    boundary = "----leitong" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + str(value).encode() + b"\r\n")
    for field, file_name, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{file_name}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="session")
def archive(tmp_path_factory):
    return make_archive(tmp_path_factory.mktemp("service"))


@pytest.fixture(scope="session")
def server(archive):
    running = Server(archive, "--quiet")
    yield running
    status = running.stop()
    assert status == 0, f"leitong serve exited with {status}: {running.stderr()}"


@pytest.fixture
def client(server):
    return Client(server)


@pytest.fixture
def inspector(server):
    c = Client(server)
    assert c.login("inspector").status == 200
    return c


@pytest.fixture
def luohu(server):
    c = Client(server)
    assert c.login("luohu").status == 200
    return c


@pytest.fixture
def shapingba(server):
    c = Client(server)
    assert c.login("shapingba").status == 200
    return c
