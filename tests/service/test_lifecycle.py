"""The server's life: stopping with SIGTERM (requests in flight finish, the running upload commits
what it read), dying with SIGKILL during uploads (the archive stays sound, committed documents stay,
re-uploading adds only what is missing), and restarting (users and past checks are kept).

Each test has its own archive (make_archive) and its own servers; uploads are zips of synthetic
reports (`leitong synth`) whose titles name their agency and year."""

import http.client
import io
import json
import pathlib
import re
import select
import signal
import socket
import subprocess
import threading
import time
import zipfile

import pytest

from conftest import CORPORA, RECYCLED, Client, Server, encode_multipart, leitong_bin, make_archive

ZIPS = 4             # uploads per round: one job each, run one after the other by the writer
REPORTS_PER_ZIP = 240  # about 1.1 MB deflated
DRAIN_SECONDS = 30   # ServerOptions::drain_timeout


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Report files of agencies and years the bundled archive lacks: [(name, bytes)]."""
    out = tmp_path_factory.mktemp("synth") / "synth"
    agencies = ZIPS * REPORTS_PER_ZIP // 2
    subprocess.run([leitong_bin(), "synth", "--agencies", str(agencies), "--years", "2", "--first-year", "2030",
                    "--seed", "7", "--corpora", str(CORPORA), "--out", str(out), "-q"],
                   check=True, capture_output=True)
    files = sorted((out / "reports").rglob("*.txt"))
    assert len(files) == ZIPS * REPORTS_PER_ZIP
    return [(f"{f.parent.name}/{f.name}", f.read_bytes()) for f in files]


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zips(synthetic):
    """ZIPS zips of REPORTS_PER_ZIP reports each: [(file name, bytes)]."""
    out = []
    for i in range(ZIPS):
        data = zipped(synthetic[i * REPORTS_PER_ZIP:(i + 1) * REPORTS_PER_ZIP])
        assert len(data) < 2 << 20  # a modest upload
        out.append((f"batch-{i + 1}.zip", data))
    return out


def documents(archive):
    out = subprocess.run([leitong_bin(), "stats", "--archive", str(archive), "--format", "json"],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["documents"]


def assert_verifies(archive):
    out = subprocess.run([leitong_bin(), "verify", "--archive", str(archive)], capture_output=True, text=True)
    assert out.returncode == 0, f"leitong verify failed ({out.returncode}):\n{out.stdout}{out.stderr}"


def upload(inspector, zips):
    jobs = []
    for name, data in zips:
        reply = inspector.post_multipart("/api/v1/documents", {}, [("files", name, data)])
        assert reply.status == 202, reply.text
        jobs.append(reply.json()["job"])
    return jobs


def progress(inspector, jobs):
    out = []
    for job in jobs:
        reply = inspector.get(f"/api/v1/jobs/{job}")
        assert reply.status == 200, reply.text
        out.append(reply.json())
    return out


def wait_until(inspector, jobs, done, timeout=120, mid_job=False):
    """Polls the jobs until `done` reports were read in all (or they all ended); the last progress.

    With mid_job, `done` is not enough while no job is running: between two jobs the first may show
    done and the next still queued, and a kill there would not be a kill during a job."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        now = progress(inspector, jobs)
        if all(p["state"] not in ("queued", "running") for p in now):
            return now
        if sum(p["done"] for p in now) >= done and (not mid_job or any(p["state"] == "running" for p in now)):
            return now
        time.sleep(0.02)
    raise AssertionError(f"jobs still running after {timeout} s: {now}")


def log_of(server):
    """The server's standard error, also after stop() closed it."""
    if not server.log.closed:
        server.log.flush()
    return pathlib.Path(server.log.name).read_text()


def started(archive, *extra):
    """A server on the archive that answers: an inspector signed in to it."""
    server = Server(archive, *extra)
    inspector = Client(server)
    reply = inspector.login("inspector")
    assert reply.status == 200, reply.text
    return server, inspector


def send_check(server, client, name, data, year="2025"):
    """Sends a check on its own connection (its body sent); returns the connection to read the answer from."""
    body, content_type = encode_multipart({"year": year}, [("file", name, data)])
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    connection.request("POST", "/api/v1/checks", body=body,
                       headers={"Content-Type": content_type, "X-CSRF-Token": client.csrf,
                                "Cookie": f"leitong_session={client.cookie}"})
    return connection


def raw_post(port, path, headers, body, early_wait=0.5):
    """POST over a plain socket; an answer the server gives before it has read the body (a refusal)
    is read too. Returns (status, headers and body as text), or (None, why) when no answer came."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    try:
        sock.sendall(head.encode())
        if not select.select([sock], [], [], early_wait)[0]:
            sock.sendall(body)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + content_length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        return None, f"{type(e).__name__}: {e}"
    finally:
        sock.close()
    match = re.match(rb"HTTP/1\.1 (\d{3})", data)
    return (int(match.group(1)) if match else None), data.decode("utf-8", "replace")


def content_length(data):
    match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", data)
    return int(match.group(1)) if match else 0


# (a) SIGTERM while checks are in flight ------------------------------------------------------

def test_sigterm_lets_checks_in_flight_finish(tmp_path):
    archive = make_archive(tmp_path)
    server = Server(archive)  # with the access log: it shows when each check was answered
    try:
        luohu = Client(server)
        assert luohu.login("luohu").status == 200
        # Three drafts of about 0.9 MB (national reports): each check takes a good fraction of a
        # second, and two worker threads answer them, so at least one is running or waiting at the stop.
        text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((CORPORA / "gov-work-reports").glob("*.txt")))
        draft = text.encode()[:900_000].decode("utf-8", "ignore").encode()
        connections = [send_check(server, luohu, f"draft-{i}.txt", draft) for i in range(3)]
        time.sleep(0.2)  # the bodies are read (localhost), the checks are running or queued
        server.process.send_signal(signal.SIGTERM)
        replies = []
        for connection in connections:
            reply = connection.getresponse()
            replies.append((reply.status, reply.getheader("Connection"), reply.read()))
            connection.close()
        status = server.process.wait(timeout=DRAIN_SECONDS + 10)
    finally:
        server.stop()
    log = log_of(server)
    assert [r[0] for r in replies] == [201, 201, 201], [r[2][:200] for r in replies]
    assert all(json.loads(r[2])["check"]["copy_ratio"] >= 0 for r in replies)
    assert status == 0, log
    drained = re.search(r"SIGTERM received: (\d+) requests in flight finish", log)
    assert drained and int(drained.group(1)) >= 1, log
    # Those answered while draining say that the connection closes.
    assert sum(r[1] == "close" for r in replies) >= int(drained.group(1)), [r[1] for r in replies]
    # Checks were answered after the signal, and the server stopped only after answering them.
    assert log.count("POST /api/v1/checks 201") == 3, log
    after_signal = log[drained.end():]
    assert 1 <= after_signal.count("POST /api/v1/checks 201") <= int(drained.group(1)), log
    assert "stopped; the archive is closed" in after_signal.split("POST /api/v1/checks 201")[-1], log


def test_sigterm_with_idle_keep_alive_connections_stops_at_once(tmp_path):
    archive = make_archive(tmp_path)
    server, inspector = started(archive, "--quiet")
    idle = []
    try:
        for _ in range(5):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", "/api/v1/checks", headers={"Cookie": f"leitong_session={inspector.cookie}"})
            assert connection.getresponse().read()  # kept alive, now idle
            idle.append(connection)
        began = time.time()
        server.process.send_signal(signal.SIGTERM)
        status = server.process.wait(timeout=DRAIN_SECONDS + 10)
        took = time.time() - began
    finally:
        for connection in idle:
            connection.close()
        server.stop()
    assert status == 0, log_of(server)
    assert took < 5, f"an idle connection held the stop for {took:.1f} s"


def test_sigterm_while_connections_pour_in_stops_cleanly_every_time(tmp_path):
    """SIGTERM lands while clients connect, hold and drop connections as fast as they can: the
    signal's handler closes the listening socket while accepts complete on other threads. Thirty
    rounds, each a clean exit (status 0, the archive closed)."""
    archive = make_archive(tmp_path)
    for round_ in range(30):
        server = Server(archive, "--quiet")
        stop_flood = threading.Event()

        def flood():
            held = []
            while not stop_flood.is_set():
                try:
                    sock = socket.create_connection(("127.0.0.1", server.port), timeout=1)
                except OSError:
                    time.sleep(0.001)  # refused once the server has stopped listening
                    continue
                if len(held) < 32:
                    held.append(sock)
                else:
                    sock.close()
            for sock in held:
                sock.close()

        flooders = [threading.Thread(target=flood) for _ in range(3)]
        for t in flooders:
            t.start()
        time.sleep(0.02 * (round_ % 5))
        server.process.send_signal(signal.SIGTERM)
        try:
            status = server.process.wait(timeout=DRAIN_SECONDS + 10)
        finally:
            stop_flood.set()
            for t in flooders:
                t.join()
            server.stop()
        assert status == 0, f"round {round_}: exit status {status}\n{log_of(server)}"
        assert "the archive is closed" in log_of(server), log_of(server)
    assert_verifies(archive)


def test_sigterm_while_a_check_is_being_uploaded_still_answers_it(tmp_path):
    archive = make_archive(tmp_path)
    server = Server(archive)
    try:
        luohu = Client(server)
        assert luohu.login("luohu").status == 200
        body, content_type = encode_multipart({"year": "2025"}, [("file", RECYCLED.name, RECYCLED.read_bytes())])
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        head = (f"POST /api/v1/checks HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"Cookie: leitong_session={luohu.cookie}\r\nX-CSRF-Token: {luohu.csrf}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        sock.sendall(head + body[:len(body) // 2])
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        data = b""
        try:
            sock.sendall(body[len(body) // 2:])
            while chunk := sock.recv(65536):
                data += chunk
        except OSError:
            pass
        sock.close()
    finally:
        status = server.stop()
    assert status == 0
    assert data.startswith(b"HTTP/1.1 201"), (data[:200], log_of(server))


# (b) SIGTERM during an upload job -------------------------------------------------------------

def test_sigterm_during_an_upload_commits_what_it_read(tmp_path, zips):
    archive = make_archive(tmp_path)
    base = documents(archive)
    total = ZIPS * REPORTS_PER_ZIP
    server, inspector = started(archive)
    try:
        jobs = upload(inspector, zips)
        seen = wait_until(inspector, jobs, done=total // 3, mid_job=True)
        assert any(p["state"] == "running" for p in seen), f"the upload ended before the stop: {seen}"
        began = time.time()
        server.process.send_signal(signal.SIGTERM)
        status = server.process.wait(timeout=DRAIN_SECONDS + 10)
        took = time.time() - began
    finally:
        server.stop()
    log = log_of(server)
    assert status == 0, log
    assert took <= DRAIN_SECONDS, f"stopped after {took:.1f} s"
    assert "the archive is closed" in log, log
    assert_verifies(archive)
    held = documents(archive) - base
    reported = sum(p["added"] for p in seen)
    assert reported <= held <= total, (reported, held, seen)

    # What the archive holds is exactly what was committed: uploading the same zips again adds the
    # rest and finds every committed one already present.
    server, inspector = started(archive, "--quiet")
    try:
        jobs = upload(inspector, zips)
        final = wait_until(inspector, jobs, done=10 * total)  # all ended
    finally:
        assert server.stop() == 0
    assert [p["state"] for p in final] == ["done"] * ZIPS, final
    assert sum(p["already_present"] for p in final) == held
    assert sum(p["added"] for p in final) == total - held
    assert not any(p["refused"] for p in final)
    assert documents(archive) == base + total
    assert_verifies(archive)


# (c) SIGKILL during uploads, several times ----------------------------------------------------

def test_sigkill_during_uploads_loses_nothing_committed_and_reupload_completes(tmp_path, zips):
    archive = make_archive(tmp_path)
    base = documents(archive)
    total = ZIPS * REPORTS_PER_ZIP
    held = 0
    killed_mid_job = 0
    # The fractions fall inside jobs (not on the 240-report boundaries between them).
    for round_, fraction in enumerate((0.3, 0.55, 0.8)):
        server, inspector = started(archive, "--quiet")
        try:
            # The restarted server serves: its view of the archive is what was committed before.
            stats = inspector.get("/api/v1/stats")
            assert stats.status == 200 and stats.json()["documents"] == base + held
            luohu = Client(server)
            assert luohu.login("luohu").status == 200 and luohu.check().status == 201
            jobs = upload(inspector, zips)
            seen = wait_until(inspector, jobs, done=int(total * fraction), mid_job=True)
            killed_mid_job += any(p["state"] == "running" for p in seen)
            server.process.send_signal(signal.SIGKILL)
            assert server.process.wait(timeout=10) == -signal.SIGKILL
        finally:
            server.stop()
        assert_verifies(archive)
        now = documents(archive) - base
        committed = sum(p["added"] for p in seen)
        assert now >= held, f"round {round_}: {held - now} committed documents lost"
        assert now >= committed, f"round {round_}: {committed} reported added, {now} in the archive"
        assert now <= total
        held = now
    assert killed_mid_job >= 2, "the uploads kept ending before the kill: the test did not kill mid-job"

    server, inspector = started(archive, "--quiet")
    try:
        assert inspector.get("/api/v1/stats").json()["documents"] == base + held
        jobs = upload(inspector, zips)
        final = wait_until(inspector, jobs, done=10 * total)  # all ended
    finally:
        assert server.stop() == 0
    assert [p["state"] for p in final] == ["done"] * ZIPS, final
    assert not any(p["refused"] for p in final), [p["refused"][:2] for p in final]
    assert sum(p["already_present"] for p in final) == held  # nothing half-added: each is there or not
    assert sum(p["added"] for p in final) == total - held
    assert documents(archive) == base + total
    assert_verifies(archive)


# (d) restarting keeps users and past checks ---------------------------------------------------

@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_restarted_server_keeps_users_and_checks(tmp_path, stop):
    archive = make_archive(tmp_path)
    server, inspector = started(archive, "--quiet")
    try:
        luohu = Client(server)
        assert luohu.login("luohu").status == 200
        made = luohu.check()
        assert made.status == 201, made.text
        check_id, check = made.json()["id"], made.json()["check"]
        # An account added through the running server, too.
        reply = inspector.post_multipart("/users", {"name": "futian", "role": "agency", "agency": "重庆市合川区司法局",
                                                    "password": "futian-pass-12"})
        assert reply.status == 303, reply.text
        server.process.send_signal(stop)
        server.process.wait(timeout=DRAIN_SECONDS + 10)
    finally:
        server.stop()
    assert_verifies(archive)

    server, inspector = started(archive, "--quiet")
    try:
        luohu = Client(server)
        assert luohu.login("luohu").status == 200
        again = luohu.get(f"/api/v1/checks/{check_id}")
        assert again.status == 200, again.text
        assert again.json() == {"id": check_id, "check": check}
        assert check_id in [c["id"] for c in luohu.get("/api/v1/checks").json()["checks"]]
        assert luohu.get(f"/api/v1/checks/{check_id}/evidence").status == 200
        assert check_id in [c["id"] for c in inspector.get("/api/v1/checks").json()["checks"]]
        shapingba = Client(server)
        assert shapingba.login("shapingba").status == 200
        assert shapingba.get(f"/api/v1/checks/{check_id}").status == 404  # still another agency's
        futian = Client(server)
        assert futian.login("futian", "futian-pass-12").status == 200
    finally:
        assert server.stop() == 0


# Found on the way: an upload over 1 MiB ---------------------------------------------------------
# Before af4b8db every request body over 1 MiB was refused with 400 "malformed HTTP request: body limit
# exceeded" (--max-upload-mb 64 notwithstanding): the header parser kept Beast's default body limit.

@pytest.mark.parametrize("route", ["/api/v1/checks", "/api/v1/documents"])
def test_an_upload_over_one_mib_is_read(tmp_path, synthetic, route):
    archive = make_archive(tmp_path)
    server, inspector = started(archive, "--quiet")
    try:
        if route == "/api/v1/checks":
            text = "\n".join(p.read_text(encoding="utf-8")
                             for p in sorted((CORPORA / "gov-work-reports").glob("*.txt")))
            body, content_type = encode_multipart({"year": "2025", "agency": "深圳市罗湖区民政局"},
                                                  [("file", "draft.txt", text.encode()[:1_200_000]
                                                    .decode("utf-8", "ignore").encode())])
        else:
            body, content_type = encode_multipart({}, [("files", "all.zip", zipped(synthetic))])
        assert 1 << 20 < len(body) < 8 << 20
        status, text = raw_post(server.port, route, {"Content-Type": content_type, "X-CSRF-Token": inspector.csrf,
                                                     "Cookie": f"leitong_session={inspector.cookie}"}, body)
    finally:
        server.stop()
    assert status == (201 if route == "/api/v1/checks" else 202), text[:300]
