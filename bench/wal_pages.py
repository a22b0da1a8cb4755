#!/usr/bin/python3
"""Which tables the pages of a write-ahead log belong to: how much of a commit rewrites what.

    bench/wal_pages.py ARCHIVE.db [ARCHIVE.db-wal]

Reads the archive file as it stands (immutable: the log is not applied) for the page of each
table and index (SQLite's dbstat), then every frame of the log's current generation (the frames
whose salts match the log's header), and prints per table the frames and the distinct pages
they write (committed frames only). Pages past the archive's end are new; pages no table held
were free. A log holds one group's frames when the writer stopped right after that group's commit
and the log had started over before it (a bulk load's writer starts it over after a commit that
leaves more than 64 MiB in it).
"""
import collections
import sqlite3
import struct
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    db = sys.argv[1]
    wal = sys.argv[2] if len(sys.argv) > 2 else db + "-wal"
    con = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    owner, pages_of = {}, collections.Counter()
    for name, pageno in con.execute("SELECT name, pageno FROM dbstat"):
        owner[pageno] = name
        pages_of[name] += 1
    page_count = con.execute("PRAGMA page_count").fetchone()[0]
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    print(f"archive: {page_count} pages of {page_size} bytes")
    for name, n in pages_of.most_common():
        print(f"  {name}: {n} pages ({n * page_size / 1e6:.0f} MB)")
    with open(wal, "rb") as f:
        header = f.read(32)
        salts = struct.unpack(">II", header[16:24])
        if struct.unpack(">I", header[8:12])[0] != page_size:
            sys.exit(f"{wal}: its page size is not the archive's")
        # Frames count once a commit frame (its database size set) follows them: SQLite ignores the rest.
        frames, distinct, total = collections.Counter(), collections.defaultdict(set), 0
        uncommitted = []
        while True:
            frame = f.read(24 + page_size)
            if len(frame) < 24 + page_size:
                break
            page, commit, salt1, salt2 = struct.unpack(">IIII", frame[:16])
            if (salt1, salt2) != salts:
                break  # an older generation of the log
            uncommitted.append(page)
            if commit == 0:
                continue
            for p in uncommitted:
                table = owner.get(p, "(new pages)" if p > page_count else "(free pages)")
                frames[table] += 1
                distinct[table].add(p)
            total += len(uncommitted)
            uncommitted = []
    print(f"log: {total} frames ({total * page_size / 1e6:.0f} MB)")
    for table, n in frames.most_common():
        d = len(distinct[table])
        print(f"  {table}: {n} frames, {d} distinct pages ({d * page_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
