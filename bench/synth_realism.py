#!/usr/bin/python3
"""How realistic `leitong synth` archives are, measured against real text, with the real CLI.

Four tables (each part can be run alone with --part):

overlap   Pairwise overlap between independent documents, each cut to its middle 2,500
          characters (text normalized as leitong does for matching: NFKC, whitespace and
          punctuation dropped, every digit one symbol): for random pairs, the share of the
          13-character shingles of one document that the other holds, all of them and leaving out
          the formulae of the set (shingles that at least 20 % of its documents hold, and at
          least 4), and the share of pairs holding a common 20-character string that is no formula
          (20 is `min_passage`: what `check` would show as a passage). Synthetic: pairs of reports
          without plants (truth.jsonl) of different agencies, their skeleton left out (title,
          opening, headings, mandated subheadings, closing, signature). Real: the bundled corpora/reports (every pair), the
          national 政府工作报告 (pairs of years at least 10 apart: the same office, decades
          apart) and, when present, the laws (pairs of different titles).
holders   Fingerprint holder counts in archives built by `leitong add`: how many documents hold
          each winnowed fingerprint, read from the archive's posting blobs (docs/format.md: one
          11-byte record per holder, a fingerprint known by its bucket and 24-bit tag; a count
          stops at posting_cap, 1,024). Synthetic archives of each --sizes (5 years; agencies =
          size / 5) beside the real corpora: the laws (all, and the first 1,000 by path) and the
          national reports.
classes   Where the fingerprints of a synthetic archive come from: for a sample of its reports
          (--samples), each distinct fingerprint by its holder count in the archive and the origin
          of its first character (truth.jsonl and the report skeleton): skeleton, mandated
          subheading, the model's fresh sentences, or a plant (recycled, template, peer, self).
eval      synth → add → eval at --eval-sizes (AGENCIESxYEARS): plagdet, precision, recall,
          clean reports flagged.

With --old-bin, the holders and eval parts also run a second leitong binary (an earlier
generator) on the same sizes, in the same run, so that the two are compared under the same load;
--synth-args and --old-synth-args give each its own `synth` arguments (--old-synth-args alone
compares one binary with itself under other arguments, e.g. "--house-style 0").

  bench/synth_realism.py --bin build-gen/leitong [--old-bin OLD] [--part overlap|holders|classes|eval]
                         [--sizes "1000 10000 100000"] [--eval-sizes "150x3 400x3"]
                         [--pairs 2000] [--samples 2000] [--shared ../shared/corpora] [--work DIR] [--keep]
  bench/synth_realism.py --bin BIN --existing W/synth-1000000   (overlap of sampled pairs,
                         holders and their origins of a folder and archive that bench/macro.sh --keep left)
"""
import argparse
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def normalize(text):
    out = []
    for c in unicodedata.normalize("NFKC", text):
        if c.isdigit():
            out.append("0")
        elif c.isalnum():  # CJK ideographs and letters; punctuation and whitespace dropped
            out.append(c.lower())
    return "".join(out)


def shingles(text, n):
    return {text[i:i + n] for i in range(len(text) - n + 1)}


PIECE = 2500  # characters compared of each document (normalized), about a synthetic report


def piece(text):
    """The middle PIECE characters: documents of different lengths compared alike."""
    start = max(0, (len(text) - PIECE) // 2)
    return text[start:start + PIECE]


def pair_stats(docs, pairs):
    """docs: {index: normalized text}; pairs: [(i, j)]. For each pair, the mean of the shares of
    either document's 13-character shingles that the other holds: all of them, and leaving out the
    set's formulae (shingles held by at least max(4, 20 %) of the set's documents: the skeleton of
    synthetic reports, the stock phrases of real ones); and whether the pair shares a 20-character
    string that is no formula."""
    used = sorted({k for pair in pairs for k in pair})
    s13 = {k: shingles(docs[k], 13) for k in used}
    s20 = {k: shingles(docs[k], 20) for k in used}
    limit = max(4, 0.2 * len(used))
    common13 = {g for g, c in Counter(g for k in used for g in s13[k]).items() if c >= limit}
    common20 = {g for g, c in Counter(g for k in used for g in s20[k]).items() if c >= limit}
    shares, own, passages = [], [], 0
    for i, j in pairs:
        a, b = s13[i], s13[j]
        if not a or not b:
            continue
        shared = a & b
        shares.append((len(shared) / len(a) + len(shared) / len(b)) / 2)
        a_own, b_own = len(a - common13), len(b - common13)
        rest = len(shared - common13)
        own.append((rest / max(1, a_own) + rest / max(1, b_own)) / 2)
        passages += bool((s20[i] & s20[j]) - common20)
    return shares, own, passages


def summary_row(name, docs_count, shares, own, passages):
    if not shares:
        return f"| {name} | {docs_count} | 0 | – | – | – | – | – |"
    v, w = np.array(shares) * 100, np.array(own) * 100
    return (f"| {name} | {docs_count:,} | {len(v):,} | {v.mean():.2f} % | {w.mean():.2f} % | "
            f"{np.median(w):.2f} % | {np.percentile(w, 90):.2f} % | {w.max():.2f} % | "
            f"{100 * passages / len(v):.1f} % |")


def read_text(path):
    return Path(path).read_text(encoding="utf-8", errors="replace")


def run(cmd, **kw):
    t = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.monotonic() - t


def synth(binary, agencies, years, out, seed=1, extra=()):
    if out.exists():
        shutil.rmtree(out)
    return run([binary, "synth", "-q", "--agencies", str(agencies), "--years", str(years),
                "--seed", str(seed), "--corpora", str(ROOT / "corpora"), "--out", str(out), *extra])


def add(binary, folder, extra=()):
    db = folder / "a.db"
    if db.exists():
        db.unlink()
    return db, run([binary, "add", "-q", "--batch", "1000", "--archive", str(db),
                    "--manifest", str(folder / "manifest.csv"), *extra])


def synthetic_body(text):
    """A synthetic report without its skeleton: the title, the opening, the section headings, the
    mandated subheadings, the closing formula and the signature (every report has them)."""
    start = text.find("报告如下")
    end = text.rfind("下一步，我们将坚持以习近平法治思想为引领")
    if start >= 0:
        text = text[text.find("\n", start) + 1:end if end > start else None]
    lines = []
    for line in text.split("\n"):
        if re.match(r"^[一二三]、", line):
            continue
        lines.append(re.sub(r"^（[一二三四五六七八九十]+）[^。]*。", "", line))
    return "\n".join(lines)


def clean_pairs(folder, pairs, rng):
    """Random pairs of reports without plants of different agencies; only their texts are read
    (a million-report folder holds gigabytes)."""
    clean = []
    for line in open(folder / "truth.jsonl", encoding="utf-8"):
        j = json.loads(line)
        if not j["plants"]:
            clean.append((j["agency"], j["file"]))
    out = set()
    tries = 0
    while len(out) < pairs and tries < pairs * 20 and len(clean) > 1:
        tries += 1
        i, j = rng.sample(range(len(clean)), 2)
        if clean[i][0] != clean[j][0]:
            out.add((min(i, j), max(i, j)))
    used = {k for pair in out for k in pair}
    docs = {k: piece(normalize(synthetic_body(read_text(folder / clean[k][1])))) for k in used}
    return docs, sorted(out)


def part_existing(args, rng):
    """A synthetic folder built elsewhere (`bench/macro.sh --keep` keeps DIR/synth-N with its
    archive a.db): the overlap of sampled pairs and, when the archive is there, its holders."""
    folder = Path(args.existing)
    reports = sum(1 for _ in open(folder / "truth.jsonl", encoding="utf-8"))
    print(f"\n### {folder} ({reports:,} reports)\n")
    print("| documents | count | pairs | 13-shingles shared, mean | without formulae: mean | "
          "median | p90 | max | pairs sharing a 20-character string (no formula) |")
    print("|---|---|---|---|---|---|---|---|---|")
    docs, pairs = clean_pairs(folder, args.pairs, rng)
    print(summary_row(f"synthetic, {folder.name}, reports without plants, different agencies",
                      reports, *pair_stats(docs, pairs)))
    sys.stdout.flush()
    if (folder / "a.db").exists():
        print()
        print(HOLDERS_HEADER)
        postings = _postings(folder / "a.db")
        print(holders_row(f"synthetic, {folder.name}", folder / "a.db", " |", postings))
        part_classes(folder, args.samples, rng, postings)


def part_overlap(args, work, rng):
    print(f"\n### Pairwise overlap of independent documents ({PIECE}-character pieces)\n")
    print("| documents | count | pairs | 13-shingles shared, mean | without formulae: mean | "
          "median | p90 | max | pairs sharing a 20-character string (no formula) |")
    print("|---|---|---|---|---|---|---|---|---|")
    reports = sorted((ROOT / "corpora/reports").glob("*.txt"))
    docs = {k: piece(normalize(read_text(p))) for k, p in enumerate(reports)}
    pairs = list(itertools.combinations(range(len(docs)), 2))
    print(summary_row("bundled corpora/reports (real 法治政府建设年度报告 and one 范文 page)",
                      len(docs), *pair_stats(docs, pairs)))
    national = sorted((ROOT / "corpora/gov-work-reports").glob("*.txt"))
    years = [int(p.stem) for p in national]
    docs = {k: piece(normalize(read_text(p))) for k, p in enumerate(national)}
    pairs = [(i, j) for i, j in itertools.combinations(range(len(docs)), 2)
             if abs(years[i] - years[j]) >= 10]
    print(summary_row("national 政府工作报告, years ≥ 10 apart", len(docs), *pair_stats(docs, pairs)))
    laws_dir = Path(args.shared) / "laws"
    if laws_dir.is_dir():
        laws = sorted(p for p in laws_dir.rglob("*.md") if p.name != "_index.md")
        titles = [re.sub(r"\(\d{4}-\d{2}-\d{2}\)$", "", p.stem) for p in laws]
        pairs = set()
        while len(pairs) < args.pairs:
            i, j = rng.sample(range(len(laws)), 2)
            if titles[i] != titles[j]:
                pairs.add((min(i, j), max(i, j)))
        docs = {k: piece(normalize(read_text(laws[k]))) for pair in pairs for k in pair}
        print(summary_row("laws, different titles", len(laws), *pair_stats(docs, sorted(pairs))))
    for label, binary, synth_args in binaries(args):
        for agencies, years in ((400, 3), (2000, 5)):
            folder = work / f"{label}-overlap-{agencies}x{years}"
            synth(binary, agencies, years, folder, extra=synth_args)
            docs, pairs = clean_pairs(folder, args.pairs, rng)
            print(summary_row(f"synthetic ({label}) {agencies} × {years}, reports without plants, "
                              "different agencies", agencies * years, *pair_stats(docs, pairs)))
            if not args.keep:
                shutil.rmtree(folder)


def _postings(db):
    """The archive's document count, the distinct (bucket << 24 | tag) keys of its postings,
    sorted, and how many documents each holds."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    record = np.dtype([("tag", "u1", 3), ("doc", "<u4"), ("agency", "<u4")])
    keys = []
    for bucket, blob in con.execute("SELECT bucket, entries FROM postings"):
        r = np.frombuffer(blob, dtype=record)
        tag = (r["tag"][:, 0].astype(np.uint64) | (r["tag"][:, 1].astype(np.uint64) << 8) |
               (r["tag"][:, 2].astype(np.uint64) << 16))
        keys.append((np.uint64(bucket) << np.uint64(24)) | tag)
    con.close()
    keys = np.concatenate(keys) if keys else np.zeros(0, np.uint64)
    keys, counts = np.unique(keys, return_counts=True)
    return docs, keys, counts


ORIGINS = ["skeleton", "subheading", "fresh", "recycled", "template", "peer", "self"]
HOLDER_CLASSES = [(1, 1, "1"), (2, 9, "2–9"), (10, 256, "10–256"), (257, None, "> 256")]


def origin_labels(text, plants):
    """The origin of each character of a synthetic report: the skeleton (title, opening, section
    headings, the closing formula and signature), a mandated subheading, a plant of truth.jsonl
    (recycled, template, peer, self), or fresh (the model's new sentences and the local names)."""
    label = ["fresh"] * len(text)
    start = text.find("报告如下")
    opening_end = text.find("\n", start) + 1 if start >= 0 else 0
    # The closing formula's line (formatting noise may change its comma or break the line after its
    # first 10 characters; the heading 三、下一步工作打算 does not start with 下一步).
    closing = text.rfind("\n下一步") + 1
    label[:opening_end] = ["skeleton"] * opening_end
    if closing > opening_end:
        label[closing:] = ["skeleton"] * (len(text) - closing)
    else:
        closing = len(text)
    at = 0
    for line in text.split("\n"):
        if at >= closing:
            break
        if re.match(r"^[一二三四五六七八九十]+、", line):
            label[at:at + len(line)] = ["skeleton"] * len(line)
        elif m := re.match(r"^（[一二三四五六七八九十]+）[^。]*。", line):
            label[at:at + m.end()] = ["subheading"] * m.end()
        at += len(line) + 1
    # A plant's span leaves its subheading out; a numbered paragraph lifted from a peer's later
    # section has no subheading, and its first sentence, taken for one above, is the plant's.
    for plant in plants:
        for i in range(plant["start"], min(plant["end"], len(text))):
            if label[i] in ("fresh", "subheading"):
                label[i] = plant["type"]
    return label


def part_classes(folder, samples, rng, postings=None):
    """Where the widely held fingerprints of a synthetic archive come from: for a sample of its
    reports, each distinct fingerprint (one posting) by its holder count in the archive and the
    origin of the character it starts at (origin_labels)."""
    sys.path.insert(0, str(Path(os.environ.get("LEITONG_PYTHON_DIR", ROOT / "build/python"))))
    try:
        import leitong
    except ImportError as e:
        print(f"\n(classes skipped: the Python module is not built: {e})")
        return
    db = folder / "a.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    version = con.execute("PRAGMA user_version").fetchone()[0]
    params = json.loads(con.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()[0])
    con.close()
    if version != 3:  # the keys below are format 3's (mixed hash, 24-bit tags)
        sys.exit(f"{db}: archive format {version}; classes reads format 3")
    bucket_bits = params["posting_bucket_bits"]
    _, keys, counts = postings or _postings(db)
    truth = [json.loads(line) for line in open(folder / "truth.jsonl", encoding="utf-8")]
    chosen = rng.sample(truth, min(samples, len(truth)))
    archive = leitong.Archive(db)
    # The archive names each file by its absolute path, truth.jsonl by the path in the folder.
    ids = {"/".join(Path(d["file"]).parts[-3:]): d["id"] for d in archive.documents()}
    table = {name: Counter() for _, _, name in HOLDER_CLASSES}
    missing = 0  # fingerprints of an archived report with no posting: should not happen
    for r in chosen:
        doc = ids[r["file"]]
        text = archive.text(doc)
        label = origin_labels(text, r["plants"])
        sketch = archive.sketch(doc)
        normalized, starts, _ = leitong.normalize(text, offsets=True)
        assert normalized == sketch.normalized, "the archive's normalization is not the default"
        hashes, first = np.unique(sketch.fingerprint_hashes, return_index=True)
        h = hashes.astype(np.uint64)
        with np.errstate(over="ignore"):  # mix64 (core/detail/mix.h): wraps by design
            h ^= h >> np.uint64(30); h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(27); h *= np.uint64(0x94D049BB133111EB)
            h ^= h >> np.uint64(31)
        key = ((h >> np.uint64(64 - bucket_bits)) << np.uint64(24)) | (
            (h >> np.uint64(64 - bucket_bits - 24)) & np.uint64(0xFFFFFF))
        at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
        held = np.where(keys[at] == key, counts[at], 0)
        missing += int((held == 0).sum())
        for n, pos in zip(held, sketch.fingerprint_positions[first]):
            origin = label[starts[pos]]
            for lo, hi, name in HOLDER_CLASSES:
                if n >= lo and (hi is None or n <= hi):
                    table[name][origin] += 1
    total = sum(sum(c.values()) for c in table.values())
    print(f"\n### Where the fingerprints of {folder.name} come from "
          f"({len(chosen):,} reports sampled, {total:,} postings"
          f"{f', {missing:,} fingerprints without a posting' if missing else ''})\n")
    print("| holders | postings | " + " | ".join(ORIGINS) + " |")
    print("|---|---|" + "---|" * len(ORIGINS))
    for _, _, name in HOLDER_CLASSES:
        c = table[name]
        n = sum(c.values())
        print(f"| {name} | {100 * n / max(1, total):.1f} % | " +
              " | ".join(f"{100 * c[o] / max(1, n):.1f} %" for o in ORIGINS) + " |")


def holders_row(name, db, extra="", postings=None):
    docs, _, counts = postings or _postings(db)
    postings = counts.sum()

    def share(mask):
        return 100 * counts[mask].sum() / postings

    weighted_mean = (counts.astype(np.float64) ** 2).sum() / postings
    return (f"| {name} | {docs:,} | {len(counts):,} | {postings:,} | {postings / docs:.0f} | "
            f"{share(counts == 1):.1f} % | {share(counts >= 10):.1f} % | "
            f"{share(counts > 256):.1f} % | "
            f"{f'{share(counts * 100 > docs):.1f} %' if docs >= 500 else '–'} | "
            f"{weighted_mean:.1f} |{extra}")


def binaries(args):
    """(label, binary, extra synth arguments) of each generator compared."""
    out = [("new", args.bin, args.synth_args)]
    if args.old_bin or args.old_synth_args:
        out.append(("old", args.old_bin or args.bin, args.old_synth_args))
    return out


HOLDERS_HEADER = (
    "| archive | documents | distinct fingerprints | postings | postings / document | "
    "postings of fingerprints held by 1 document | by ≥ 10 | by > 256 | by > 1 % of the "
    "documents | mean holders of a posting's fingerprint | synth, add |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|")


def part_holders(args, work):
    print("\n### Fingerprint holders\n")
    print(HOLDERS_HEADER)
    laws_dir = Path(args.shared) / "laws"
    real = []
    if laws_dir.is_dir():
        laws = sorted(p for p in laws_dir.rglob("*.md") if p.name != "_index.md")
        real.append(("laws, first 1,000 by path", laws[:1000]))
        real.append(("laws, all", laws))
    real.append(("national 政府工作报告",
                 sorted((ROOT / "corpora/gov-work-reports").glob("*.txt"))))
    for name, files in real:
        folder = work / re.sub(r"\W+", "-", name)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "manifest.csv", "w", encoding="utf-8") as f:
            f.write("path,agency,year,kind\n")
            for k, p in enumerate(files):
                f.write(f"\"{p}\",机关{k},2020,report\n")
        db, _ = add(args.bin, folder, ["--new-agency"])  # one agency per document
        print(holders_row(name, db, " |"))
        if not args.keep:
            shutil.rmtree(folder)
    for size in args.sizes:
        for label, binary, synth_args in binaries(args):
            folder = work / f"{label}-holders-{size}"
            t_synth = synth(binary, size // 5, 5, folder, extra=synth_args)
            # The same `add` for both generators; --new-agency: past ~18,000 agencies the
            # fabricated names (…区财政局 beside …区民政局) look like typos to the register.
            db, t_add = add(args.bin, folder, ["--new-agency"])
            n = size + (size // 5 + 7) // 8
            print(holders_row(f"synthetic ({label}) {size // 5:,} × 5", db,
                              f" {t_synth:.1f} s ({size / t_synth:,.0f} reports/s), "
                              f"{t_add:.1f} s ({1000 * t_add / n:.2f} ms / document) |"))
            sys.stdout.flush()
            if not args.keep:
                shutil.rmtree(folder)


def part_eval(args, work):
    print("\n### synth → add → eval\n")
    print("| generator | archive | reports | plagdet | precision | recall | granularity | "
          "clean reports flagged | recycled found |")
    print("|---|---|---|---|---|---|---|---|---|")
    for spec in args.eval_sizes:
        agencies, years = (int(x) for x in spec.split("x"))
        for label, binary, synth_args in binaries(args):
            folder = work / f"{label}-eval-{spec}"
            synth(binary, agencies, years, folder, extra=synth_args)
            db, _ = add(args.bin, folder, ["--new-agency"])
            out = subprocess.run([args.bin, "eval", "--archive", str(db), "--truth",
                                  str(folder / "truth.jsonl"), "--format", "json"],
                                 check=True, capture_output=True, text=True).stdout
            j = json.loads(out)
            d = j.get("documents", {})
            print(f"| {label} | {agencies} × {years} | {d.get('reports', '?')} | "
                  f"**{j['plagdet']:.3f}** | {j['precision']:.3f} | {j['recall']:.3f} | "
                  f"{j['granularity']:.3f} | {d.get('clean_flagged', '?')} of "
                  f"{d.get('clean', '?')} | {d.get('recycled_found', '?')} of "
                  f"{d.get('recycled', '?')} |")
            sys.stdout.flush()
            if not args.keep:
                shutil.rmtree(folder)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--old-bin")
    ap.add_argument("--part", choices=["overlap", "holders", "classes", "eval"], action="append")
    ap.add_argument("--sizes", default="1000 10000 100000")
    ap.add_argument("--eval-sizes", default="150x3 400x3")
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--samples", type=int, default=2000,
                    help="reports sampled for the origins of fingerprints (classes)")
    ap.add_argument("--shared", default=os.environ.get("LEITONG_SHARED_CORPORA",
                                                       str(ROOT.parent / "shared/corpora")))
    ap.add_argument("--existing", help="a synth folder built elsewhere (with its a.db): "
                    "measured alone, nothing generated")
    ap.add_argument("--synth-args", default="",
                    help='extra arguments of `synth` for the new generator, e.g. "--house-style 0"')
    ap.add_argument("--old-synth-args", default=None,
                    help="extra arguments of `synth` for the old one; given without --old-bin, "
                    "the old generator is --bin with these arguments")
    ap.add_argument("--work")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.bin = str(Path(args.bin).resolve())
    if args.old_bin:
        args.old_bin = str(Path(args.old_bin).resolve())
    args.synth_args = args.synth_args.split()
    if args.old_synth_args is not None:
        args.old_synth_args = args.old_synth_args.split()
    args.sizes = [int(x) for x in args.sizes.split()]
    args.eval_sizes = args.eval_sizes.split()
    work = Path(args.work or tempfile.mkdtemp(prefix="leitong-realism."))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    parts = args.part or ["overlap", "holders", "eval"]
    try:
        if args.existing:
            part_existing(args, rng)
            return
        if "overlap" in parts:
            part_overlap(args, work, rng)
        if "holders" in parts:
            part_holders(args, work)
        if "classes" in parts:
            for size in args.sizes:
                folder = work / f"classes-{size}"
                synth(args.bin, size // 5, 5, folder)
                add(args.bin, folder, ["--new-agency"])
                part_classes(folder, args.samples, rng)
                if not args.keep:
                    shutil.rmtree(folder)
        if "eval" in parts:
            part_eval(args, work)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
