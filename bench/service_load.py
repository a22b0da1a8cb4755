#!/usr/bin/env python3
"""Load test of `leitong serve` (DESIGN.md, "Targets": on a 100,000-report archive, >= 30 checks per
second sustained from 16 concurrent clients, p99 <= 500 ms, no error; memory flat).

    bench/service_load.py [--reports 1000 | --archive A.db [--synth DIR]] [--clients 16]
                          [--requests 10000] [--seconds 900] [--rate 0] [--upload-files 1000] [--json]

Builds a synthetic archive of N reports (`leitong synth`, 5 years per agency, then `leitong add
--batch 20000`) in a work folder, or reuses one built earlier (--archive, with the synth folder it was
built from: its reports are the drafts). Creates one inspector and one agency account per client
(`leitong user add`), starts `leitong serve --listen 127.0.0.1:0 --quiet`, and runs C clients at once,
each logged in once as its own agency and POSTing /api/v1/checks over one kept-alive connection with
drafts of about 5,000 characters (one of its agency's archived reports followed by other agencies'
reports, cut at a line end near 5,000 characters), until R checks were sent or the time is up:
closed loop by default (each client sends its next check when it has the answer, so latency is
about clients / throughput), or open loop with --rate (checks due at a steady rate, latency counted
from when each was due). At the same time the inspector uploads U new reports (POST
/api/v1/documents, multipart `files`, from a second synthetic set), --upload-batch reports per
request, one job after the other, polling each job until it ends.

Prints checks per second (also per 1,000), latency percentiles (also split: checks that overlapped an
upload and the others), errors by status, the server's RSS (VmRSS) after each 1,000 answered
requests, the upload jobs' outcome, the CPU used by the server and by this script, how much CPU the
rest of the machine used meanwhile (so that slow answers can be set beside noisy neighbours), and
what the run left on disk: the archive's write-ahead log and the service's store of past checks.
Talks to 127.0.0.1 only; Python standard library only.

A reused archive grows on every run: by the uploaded reports (each run's uploads carry a fresh marker
line, so that they are new documents) and by every check, which the service keeps in
ARCHIVE.service (its evidence page and JSON, zstd-compressed; `serve --keep-checks-days` bounds it)."""
import argparse
import csv
import http.client
import json
import math
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
DRAFT_CHARS = 5000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, **kw):
    return subprocess.run([str(c) for c in command], check=True, capture_output=True, text=True, **kw)


def corpora_folder(work):
    """The synthetic corpus's sources: the bundled reports and national reports, plus the laws of
    the shared corpus when present (as bench/macro.sh does); without the laws the sentence pool runs
    out past a few hundred reports."""
    shared = pathlib.Path(os.environ.get("LEITONG_SHARED_CORPORA", ROOT.parent / "shared" / "corpora"))
    folder = work / "corpora"
    folder.mkdir(parents=True, exist_ok=True)
    links = {"reports": ROOT / "corpora" / "reports", "gov-work-reports": ROOT / "corpora" / "gov-work-reports"}
    if (shared / "laws").is_dir():
        links["laws"] = shared / "laws"
    for name, target in links.items():
        link = folder / name
        if not link.exists():
            link.symlink_to(target.resolve())
    return folder


def build_archive(binary, work, reports):
    """synth + add of `reports` reports (5 years per agency); returns (archive, synth folder, seconds)."""
    agencies = max(1, reports // 5)
    synth = work / f"synth-{reports}"
    archive = synth / "a.db"
    started = time.perf_counter()
    run([binary, "synth", "--agencies", agencies, "--years", 5, "--seed", 1, "--corpora", corpora_folder(work),
         "--out", synth, "-q"])
    synth_s = time.perf_counter() - started
    started = time.perf_counter()
    run([binary, "add", "-q", "--batch", 20000, "--archive", archive, "--manifest", synth / "manifest.csv"])
    add_s = time.perf_counter() - started
    return archive, synth, {"synth_s": round(synth_s, 1), "add_s": round(add_s, 1)}


def read_manifest(synth):
    """agency -> [(year, path)] of its reports."""
    by_agency = {}
    with open(synth / "manifest.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("kind", "report") == "report":
                by_agency.setdefault(row["agency"], []).append((int(row["year"]), synth / row["path"]))
    return by_agency


def make_draft(own, others, rng):
    """About DRAFT_CHARS characters: one of the agency's own reports, then other agencies' reports."""
    parts = [pathlib.Path(rng.choice(own)[1]).read_text(encoding="utf-8")]
    while sum(len(p) for p in parts) < DRAFT_CHARS:
        parts.append(pathlib.Path(rng.choice(rng.choice(others))[1]).read_text(encoding="utf-8"))
    text = "\n".join(parts)
    cut = text.rfind("\n", 0, DRAFT_CHARS)
    return text[:cut if cut > DRAFT_CHARS * 0.9 else DRAFT_CHARS]


def encode_multipart(fields, files):
    boundary = "----leitongload" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + str(value).encode() + b"\r\n")
    for field, file_name, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{file_name}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def ensure_user(binary, archive, name, role, agency, password):
    existing = run([binary, "user", "list", "--archive", archive]).stdout.split("\n")
    if any(line.split("\t")[0] == name for line in existing):
        run([binary, "user", "remove", "--archive", archive, "--name", name])
    command = [binary, "user", "add", "--archive", archive, "--name", name, "--role", role]
    if agency:
        command += ["--agency", agency]
    run(command, input=password + "\n")


def proc_status(pid, field):
    """A /proc/PID/status figure in MB (VmRSS, VmHWM); None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid):
    """User + system CPU seconds of a process (threads included)."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except OSError:
        return None


def machine_cpu():
    """(busy, steal) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in pathlib.Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / CLOCK_TICKS, steal / CLOCK_TICKS


class Neighbours(threading.Thread):
    """Once a second: how many cores the rest of the machine used (all processes but the server and
    this script), and the steal time, so that slow answers can be set beside the neighbours' load."""

    def __init__(self, server_pid):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.samples = []  # (perf_counter at the end of the second, others' cores, steal cores)
        self.stopped = threading.Event()

    def totals(self):
        busy, steal = machine_cpu()
        return time.perf_counter(), busy, steal, cpu_seconds(self.server_pid) or 0.0, sum(os.times()[:2])

    def run(self):
        last = self.totals()
        while not self.stopped.wait(1.0):
            now = self.totals()
            seconds = now[0] - last[0]
            others = (now[1] - last[1]) - (now[3] - last[3]) - (now[4] - last[4])
            self.samples.append((now[0], max(0.0, others / seconds), (now[2] - last[2]) / seconds))
            last = now


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))  # nearest rank
    return sorted_values[rank]


class Session:
    """One kept-alive connection with a session cookie and its CSRF token."""

    def __init__(self, port, timeout):
        self.port, self.timeout = port, timeout
        self.connection = None
        self.cookie = self.csrf = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = f"leitong_session={self.cookie}"
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            reply = self.connection.getresponse()
            data = reply.read()
        except Exception:
            self.close()
            raise
        if reply.will_close:
            self.close()
        for key, value in reply.getheaders():
            if key.lower() == "set-cookie" and value.startswith("leitong_session="):
                self.cookie = value.split(";")[0].split("=", 1)[1] or None
        return reply.status, data

    def login(self, name, password):
        status, data = self.request("POST", "/api/v1/session", json.dumps({"name": name, "password": password}).encode(),
                                    {"Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError(f"login of {name}: HTTP {status}: {data[:200]!r}")
        self.csrf = json.loads(data)["csrf_token"]

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Load:
    def __init__(self, args, port, pid):
        self.args, self.port, self.pid = args, port, pid
        self.lock = threading.Lock()
        self.issued = self.answered = 0
        self.latencies = []  # seconds, of the 201 answers
        self.timeline = []  # (started, seconds) of the 201 answers, to split them by what ran beside
        self.statuses = {}
        self.memory = []  # (answered, seconds since start, VmRSS MB)
        self.loadavg = []  # the machine's 1-minute load average after each 1,000
        self.windows = []  # checks per second within each 1,000
        self.deadline = None
        self.started = None
        self.last_mark = None
        self.login_errors = []

    def take(self):
        """The time the next check is due (None: no more). With --rate, check n is due at
        start + n / rate (open loop) and its latency counts from then, waiting for a free client
        included; without, at once (closed loop: each client sends when it has its answer)."""
        with self.lock:
            if self.issued >= self.args.requests or time.perf_counter() >= self.deadline:
                return None
            n = self.issued
            self.issued += 1
        if not self.args.rate:
            return time.perf_counter()
        due = self.started + n / self.args.rate
        if due >= self.deadline:
            return None
        time.sleep(max(0.0, due - time.perf_counter()))
        return due

    def record(self, status, seconds, started):
        with self.lock:
            self.answered += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 201:
                self.latencies.append(seconds)
                self.timeline.append((started, seconds))
            if self.answered % 1000 == 0:
                now = time.perf_counter()
                self.memory.append((self.answered, round(now - self.started, 1), proc_status(self.pid, "VmRSS")))
                self.windows.append(round(1000 / (now - self.last_mark), 1))
                self.loadavg.append(round(os.getloadavg()[0], 2))
                self.last_mark = now

    def client(self, name, password, bodies, ready, go):
        session = Session(self.port, self.args.timeout)
        try:
            session.login(name, password)
        except Exception as e:
            with self.lock:
                self.login_errors.append(f"{name}: {e}")
            return
        finally:
            ready.release()
        go.wait()
        n = 0
        while (started := self.take()) is not None:
            body, content_type = bodies[n % len(bodies)]
            n += 1
            try:
                status, _ = session.request("POST", "/api/v1/checks", body, {"Content-Type": content_type})
            except Exception as e:  # connection refused, reset, timed out: an error like any other
                status = type(e).__name__
            self.record(status, time.perf_counter() - started, started)
        session.close()


def uploader(port, password, batches, timeout, outcome, go):
    """Uploads the batches one after the other (each a job), polling each job until it ends."""
    session = Session(port, timeout)
    session.login("load-inspector", password)
    go.wait()
    started = time.perf_counter()
    outcome.update({"jobs": [], "added": 0, "already_present": 0, "refused": 0, "post_ms": [], "busy": []})
    try:
        for body, content_type in batches:
            posted = time.perf_counter()
            status, data = session.request("POST", "/api/v1/documents", body, {"Content-Type": content_type})
            outcome["post_ms"].append(round((time.perf_counter() - posted) * 1000))
            if status != 202:
                outcome["jobs"].append(f"HTTP {status}")
                outcome.setdefault("error", f"POST /api/v1/documents: HTTP {status}: "
                                            + data[:300].decode("utf-8", "replace"))
                continue
            job = json.loads(data)["job"]
            while True:
                time.sleep(0.5)
                status, data = session.request("GET", f"/api/v1/jobs/{job}")
                if status != 200:
                    raise RuntimeError(f"GET /api/v1/jobs/{job}: HTTP {status}")
                progress = json.loads(data)
                if progress["state"] not in ("queued", "running"):
                    break
            outcome["busy"].append((posted, time.perf_counter()))  # this upload's POST and job
            outcome["jobs"].append(progress["state"])
            outcome["added"] += progress["added"]
            outcome["already_present"] += progress["already_present"]
            outcome["refused"] += len(progress["refused"])
            if progress["refused"]:
                outcome.setdefault("first_refusal", progress["refused"][0])
            if "error" in progress:
                outcome.setdefault("error", progress["error"])
    except Exception as e:
        outcome["error"] = f"{type(e).__name__}: {e}"
    finally:
        outcome["seconds"] = round(time.perf_counter() - started, 1)
        session.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--binary", default=os.environ.get("LEITONG_BIN", str(ROOT / "build" / "leitong")))
    parser.add_argument("--reports", type=int, default=1000, help="archive size to build (reports; 5 years per agency)")
    parser.add_argument("--archive", type=pathlib.Path, help="reuse this archive (built from a synth folder)")
    parser.add_argument("--synth", type=pathlib.Path, help="the synth folder of --archive (default: its folder)")
    parser.add_argument("--work", type=pathlib.Path, help="work folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (to reuse its archive)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=10000, help="checks to send, all clients together")
    parser.add_argument("--seconds", type=float, default=900, help="stop sending after this long")
    parser.add_argument("--rate", type=float, default=0,
                        help="checks per second to send, all clients together (open loop; 0: each client sends as "
                             "soon as it has its answer)")
    parser.add_argument("--drafts", type=int, default=20, help="distinct drafts per client")
    parser.add_argument("--upload-files", type=int, default=1000, help="reports the inspector uploads (0: none)")
    parser.add_argument("--upload-batch", type=int, default=100,
                        help="reports per upload (one job each; 100 keeps a request under 1 MiB)")
    parser.add_argument("--threads", type=int, default=0, help="serve --threads (0: one per core)")
    parser.add_argument("--timeout", type=float, default=120, help="HTTP timeout per request, seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slow-ms", type=float, default=250,
                        help="checks slower than this are set beside the other processes' CPU use")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    binary = pathlib.Path(args.binary).resolve()
    if not binary.exists():
        parser.error(f"{binary}: no leitong binary (build it, or give --binary / LEITONG_BIN)")

    temporary = args.work is None
    work = pathlib.Path(tempfile.mkdtemp(prefix="leitong-load-")) if temporary else args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    figures = {"machine": {"cores": os.cpu_count(), "loadavg_before": os.getloadavg()[0]}}
    server = None
    try:
        if args.archive:
            archive = args.archive.resolve()
            synth = (args.synth or archive.parent).resolve()
            if not (synth / "manifest.csv").exists():
                parser.error(f"{synth}: no manifest.csv (give --synth, the folder the archive was built from)")
        else:
            log(f"building a synthetic archive of {args.reports} reports in {work}")
            archive, synth, figures["build"] = build_archive(binary, work, args.reports)
            log(f"  synth {figures['build']['synth_s']} s, add {figures['build']['add_s']} s")
        stats = json.loads(run([binary, "stats", "--archive", archive, "--format", "json"]).stdout)
        figures["archive"] = {"path": str(archive), "documents": stats["documents"], "reports": stats["reports"]}

        # Drafts, one agency per client, spread over the archive's agencies.
        rng = random.Random(args.seed)
        by_agency = read_manifest(synth)
        agencies = sorted(by_agency)
        if len(agencies) < args.clients + 1:
            parser.error(f"{len(agencies)} agencies: too few for {args.clients} clients")
        step = len(agencies) // args.clients
        chosen = [agencies[i * step] for i in range(args.clients)]
        others = [by_agency[a] for a in agencies]
        bodies, sizes = [], []
        for agency in chosen:
            mine = []
            for d in range(args.drafts):
                text = make_draft(by_agency[agency], others, rng)
                sizes.append(len(text))
                mine.append(encode_multipart({"year": 2026}, [("file", f"draft-{d + 1:02d}.txt", text.encode())]))
            bodies.append(mine)
        figures["drafts"] = {"per_client": args.drafts, "chars_median": sorted(sizes)[len(sizes) // 2]}

        # Accounts.
        password = "load-test-" + uuid.uuid4().hex[:12]
        log(f"creating {args.clients + 1} accounts")
        ensure_user(binary, archive, "load-inspector", "inspector", "", password)
        for i, agency in enumerate(chosen):
            ensure_user(binary, archive, f"load-agency-{i + 1:02d}", "agency", agency, password)

        # Uploads: new reports from a second synthetic set, marked with this run's id.
        upload = None
        if args.upload_files > 0:
            extra = work / f"upload-{args.upload_files}"
            if not (extra / "manifest.csv").exists():
                run([binary, "synth", "--agencies", args.upload_files, "--years", 1, "--first-year", 2026, "--seed", 2,
                     "--corpora", corpora_folder(work), "--out", extra, "-q"])
            marker = f"\n（上传批次 {uuid.uuid4().hex[:12]}）\n"
            files = [("files", path.name, (path.read_text(encoding="utf-8") + marker).encode())
                     for rows in read_manifest(extra).values() for _, path in rows]
            upload = [encode_multipart({}, files[i:i + args.upload_batch])
                      for i in range(0, len(files), args.upload_batch)]
            figures["upload"] = {"files": len(files), "requests": len(upload), "bytes": sum(len(b) for b, _ in upload)}

        def store_bytes():  # the service's own file beside the archive (accounts, sessions, past checks)
            files = [pathlib.Path(str(archive) + ".service" + suffix) for suffix in ("", "-wal")]
            return sum(f.stat().st_size for f in files if f.exists())
        store_before = store_bytes()
        wal = pathlib.Path(str(archive) + "-wal")
        wal_before = wal.stat().st_size if wal.exists() else 0

        # The server.
        server_log = open(work / "serve.log", "w+")
        server = subprocess.Popen([str(binary), "serve", "--archive", str(archive), "--listen", "127.0.0.1:0", "--quiet",
                                   "--threads", str(args.threads)], stdout=subprocess.PIPE, stderr=server_log, text=True)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
        if not match:
            raise RuntimeError(f"leitong serve did not start: {pathlib.Path(server_log.name).read_text()[-500:]}")
        port = int(match.group(1))
        figures["server"] = {"pid": server.pid, "threads": args.threads, "rss_mb_start": proc_status(server.pid, "VmRSS")}

        load = Load(args, port, server.pid)
        ready, go = threading.Semaphore(0), threading.Event()
        threads = [threading.Thread(target=load.client, args=(f"load-agency-{i + 1:02d}", password, bodies[i], ready, go),
                                    daemon=True) for i in range(args.clients)]
        outcome = {}
        if upload:
            threads.append(threading.Thread(target=uploader, args=(port, password, upload, args.timeout, outcome, go),
                                            daemon=True))
        for t in threads:
            t.start()
        for _ in range(args.clients):
            ready.acquire()  # every client logged in (a failed login raises in its thread: counted below)
        log(f"{args.clients} clients: up to {args.requests} checks or {args.seconds:.0f} s"
            + (f", while the inspector uploads {figures['upload']['files']} reports" if upload else ""))
        load.memory.append((0, 0.0, proc_status(server.pid, "VmRSS")))
        server_cpu, own_cpu = cpu_seconds(server.pid), sum(os.times()[:2])
        load.started = load.last_mark = time.perf_counter()
        load.deadline = load.started + args.seconds
        neighbours = Neighbours(server.pid)
        neighbours.start()
        go.set()
        for t in threads[:args.clients]:
            t.join()
        neighbours.stopped.set()
        elapsed = time.perf_counter() - load.started
        server_cpu = cpu_seconds(server.pid) - server_cpu
        own_cpu = sum(os.times()[:2]) - own_cpu
        if load.answered % 1000:
            load.memory.append((load.answered, round(elapsed, 1), proc_status(server.pid, "VmRSS")))
        if upload:
            threads[-1].join(timeout=max(60.0, args.seconds))
        figures["machine"]["loadavg_after"] = os.getloadavg()[0]
        figures["machine"]["loadavg_per_1000"] = load.loadavg

        latencies = sorted(load.latencies)
        ok = len(latencies)
        errors = {str(k): v for k, v in sorted(load.statuses.items(), key=lambda kv: str(kv[0])) if k != 201}
        figures["load"] = {
            "clients": args.clients, "rate": args.rate or "closed loop", "answered": load.answered, "ok": ok, "seconds": round(elapsed, 1),
            "checks_per_second": round(ok / elapsed, 1) if elapsed else None,
            "checks_per_second_per_1000": load.windows,
            "latency_ms": {f"p{p}": round(percentile(latencies, p) * 1000, 1) if latencies else None
                           for p in (50, 90, 99)} | {"max": round(latencies[-1] * 1000, 1) if latencies else None},
            "errors": errors, "login_errors": load.login_errors,
            "server_cpu_s": round(server_cpu, 1), "server_cores_busy": round(server_cpu / elapsed, 2),
            "server_cpu_ms_per_answer": round(server_cpu * 1000 / load.answered, 1) if load.answered else None,
            "load_generator_cpu_s": round(own_cpu, 1),
        }
        if upload and outcome.get("busy"):
            # Checks that ran while an upload was being received or its job ran, and the others.
            def overlaps(started, seconds):
                return any(started < end and started + seconds > begin for begin, end in outcome["busy"])
            split = {"during_uploads": [], "otherwise": []}
            for started, seconds in load.timeline:
                split["during_uploads" if overlaps(started, seconds) else "otherwise"].append(seconds)
            figures["load"]["latency_ms_split"] = {
                name: {"checks": len(v)} | {f"p{p}": round(percentile(sorted(v), p) * 1000, 1) if v else None
                                            for p in (50, 90, 99)}
                for name, v in split.items()}
            outcome["busy_s"] = round(sum(end - begin for begin, end in outcome["busy"]), 1)
            del outcome["busy"]
        if neighbours.samples:
            others = [o for _, o, _ in neighbours.samples]
            slow = [(started, seconds) for started, seconds in load.timeline if seconds > args.slow_ms / 1000]
            busy_neighbours = [1 for started, seconds in slow
                               if max((o for end, o, _ in neighbours.samples
                                       if end - 1.0 <= started + seconds and end >= started), default=0) >= 0.5]
            figures["machine"]["others_cores"] = {
                "mean": round(sum(others) / len(others), 2), "max": round(max(others), 2),
                "seconds_over_half_a_core": sum(o >= 0.5 for o in others), "seconds": len(others),
                "steal_mean": round(sum(s for _, _, s in neighbours.samples) / len(neighbours.samples), 2)}
            figures["load"]["slow"] = {"over_ms": args.slow_ms, "checks": len(slow),
                                       "while_others_used_half_a_core_or_more": len(busy_neighbours)}
        figures["memory"] = {"rss_mb_by_answered": [[n, t, m] for n, t, m in load.memory],
                             "hwm_mb": proc_status(server.pid, "VmHWM")}
        if upload:
            figures["upload"].update(outcome)

        server.send_signal(signal.SIGTERM)
        try:
            figures["server"]["exit"] = server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            figures["server"]["exit"] = "killed after 120 s"
        server = None
        store_after = store_bytes()
        figures["server"]["store_mb_growth"] = round((store_after - store_before) / 1e6, 1)
        figures["archive"]["wal_mb"] = [round(wal_before / 1e6, 1), round((wal.stat().st_size if wal.exists() else 0) / 1e6, 1)]
        figures["server"]["store_kb_per_check"] = round((store_after - store_before) / 1e3 / max(1, load.answered), 1)
        server_log.seek(0)
        figures["server"]["log_tail"] = server_log.read()[-400:]
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if temporary and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif not args.archive:
            log(f"kept {work} (reuse with --archive {work}/synth-{args.reports}/a.db)")

    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        return
    f, l = figures, figures["load"]
    print(f"archive: {f['archive']['path']} ({f['archive']['documents']} documents)"
          + (f"; built in synth {f['build']['synth_s']} s + add {f['build']['add_s']} s" if "build" in f else ""))
    print(f"machine: {f['machine']['cores']} cores, load average {f['machine']['loadavg_before']:.2f} before, "
          f"{f['machine']['loadavg_after']:.2f} after; per 1,000: {f['machine']['loadavg_per_1000']}")
    print(f"checks: {l['ok']} answered 201 of {l['answered']} in {l['seconds']} s from {l['clients']} clients, "
          + (f"sent at {args.rate:g}/s " if args.rate else "closed loop ") +
          f"(drafts of {f['drafts']['chars_median']} characters): {l['checks_per_second']} checks/s")
    print(f"  per 1,000: {', '.join(str(w) for w in l['checks_per_second_per_1000'])} checks/s")
    lat = l["latency_ms"]
    print(f"latency (201s{', from when each was due' if args.rate else ''}): p50 {lat['p50']} ms, p90 {lat['p90']} ms, p99 {lat['p99']} ms, max {lat['max']} ms")
    for name, part in l.get("latency_ms_split", {}).items():
        print(f"  {name.replace('_', ' ')}: {part['checks']} checks, p50 {part['p50']} ms, p90 {part['p90']} ms, "
              f"p99 {part['p99']} ms")
    print(f"errors: {l['errors'] or 'none'}" + (f"; failed logins: {l['login_errors']}" if l["login_errors"] else ""))
    print("server RSS (MB) after N answers: "
          + ", ".join(f"{n}: {m}" for n, _, m in f["memory"]["rss_mb_by_answered"]) + f"; peak {f['memory']['hwm_mb']}")
    print(f"CPU: server {l['server_cpu_s']} s ({l['server_cores_busy']} cores busy on average, "
          f"{l['server_cpu_ms_per_answer']} ms per check, uploads included), this script {l['load_generator_cpu_s']} s")
    if "upload" in f:
        u = f["upload"]
        states = {s: u.get("jobs", []).count(s) for s in sorted(set(u.get("jobs", [])))}
        print(f"upload: {u['files']} reports ({u['bytes'] / 1e6:.1f} MB) in {u['requests']} POSTs "
              f"(median {sorted(u['post_ms'])[len(u['post_ms']) // 2] if u.get('post_ms') else '?'} ms each), "
              f"all jobs ended after {u.get('seconds', '?')} s: {states}; added {u.get('added')}, "
              f"already present {u.get('already_present')}, refused {u.get('refused')}"
              + (f"; error: {u['error']}" if "error" in u else "")
              + (f"; first refusal: {u['first_refusal']}" if "first_refusal" in u else ""))
    if "others_cores" in f["machine"]:
        o, slow = f["machine"]["others_cores"], l["slow"]
        print(f"other processes: {o['mean']} cores on average, at most {o['max']}, half a core or more during "
              f"{o['seconds_over_half_a_core']} of {o['seconds']} s; steal {o['steal_mean']}. Checks over "
              f"{slow['over_ms']:g} ms: {slow['checks']}, of which {slow['while_others_used_half_a_core_or_more']} "
              f"while other processes used half a core or more")
    print(f"archive write-ahead log ({f['archive']['path']}-wal): {f['archive']['wal_mb'][0]} MB before, "
          f"{f['archive']['wal_mb'][1]} MB after")
    print(f"past checks kept in {f['archive']['path']}.service: +{f['server']['store_mb_growth']} MB "
          f"({f['server']['store_kb_per_check']} KB per check)")
    print(f"server exit status after SIGTERM: {f['server']['exit']}")


if __name__ == "__main__":
    main()
