#!/usr/bin/env python3
"""Lays out the peer comparison's corpora under OUT (bench/peers.sh calls it).

OUT/{gov,laws,cases}/   symlinks to the originals (every tool reads these; Debian's `simhash -w`
                        writes FILE.sim beside its arguments, so never beside the originals)
OUT/spaced/...          the same texts with whitespace dropped and one space between code points:
                        sim_text takes any run of bytes > 127 as one "word", so unspaced Chinese is
                        one token per line; spaced, every character is a token
OUT/*.list              one path a line; OUT/*.pairs "A<TAB>B" a line (A = the later / suspect text)
OUT/*.manifest.csv      leitong add --manifest input
"""
import csv, os, re, sys

root, shared, nlaws = sys.argv[1], sys.argv[2], int(sys.argv[4])
out = os.path.abspath(sys.argv[3])  # absolute paths in the lists: every tool reads them from anywhere


def link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.lexists(dst):
        os.remove(dst)
    os.symlink(os.path.abspath(src), dst)


def spaced(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(src, encoding='utf-8') as f:
        text = f.read()
    with open(dst, 'w', encoding='utf-8') as f:
        f.write(' '.join(c for c in text if not c.isspace()) + '\n')


def write(name, lines):
    with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
        f.write(''.join(l + '\n' for l in lines))


# national 政府工作报告, in manifest (year) order
gdir = os.path.join(root, 'corpora', 'gov-work-reports')
with open(os.path.join(gdir, 'manifest.csv'), encoding='utf-8') as f:
    gov = sorted(csv.DictReader(f), key=lambda r: int(r['year']))
rows, paths = [], []
for r in gov:
    p = os.path.join(out, 'gov', os.path.basename(r['path']))
    link(os.path.join(gdir, r['path']), p)
    spaced(p, os.path.join(out, 'spaced', 'gov', os.path.basename(p)))
    paths.append(p)
    rows.append([os.path.relpath(p, out), r['agency'], r['year'], r.get('kind') or 'report'])
write('gov.list', paths)
write('gov.pairs', [f'{paths[i]}\t{paths[i - 1]}' for i in range(1, len(paths))])
with open(os.path.join(out, 'gov.manifest.csv'), 'w', encoding='utf-8', newline='') as f:
    w = csv.writer(f)
    w.writerow(['path', 'agency', 'year', 'kind'])
    w.writerows(rows)

# the planted case: the recycled 2025 report against its source (positive) and the other
# bundled reports (negatives)
cases = []
for name in ['cases/luohu-minzheng-2025.txt'] + sorted(
        'reports/' + n for n in os.listdir(os.path.join(root, 'corpora', 'reports')) if n.endswith('.txt')):
    p = os.path.join(out, 'cases', os.path.basename(name))
    link(os.path.join(root, 'corpora', name), p)
    spaced(p, os.path.join(out, 'spaced', 'cases', os.path.basename(p)))
    cases.append(p)
write('cases.list', cases)
suspect = cases[0]
src = [c for c in cases if c.endswith('luohu-minzheng-2024.txt')]
write('cases.pairs', [f'{suspect}\t{c}' for c in src + [c for c in cases[1:] if c not in src]])

# the first N laws (sorted by path, _index.md skipped, as bench_archive does)
ldir = os.path.join(shared, 'laws')
laws = []
for dp, dns, fns in os.walk(ldir):
    for fn in fns:
        if fn.endswith('.md') and fn != '_index.md':
            laws.append(os.path.relpath(os.path.join(dp, fn), ldir))
laws.sort()
laws = laws[:nlaws]
rows, paths = [], []
for i, rel in enumerate(laws):
    p = os.path.join(out, 'laws', f'{i:04d}.md')
    link(os.path.join(ldir, rel), p)
    spaced(p, os.path.join(out, 'spaced', 'laws', f'{i:04d}.md'))
    paths.append(p)
    m = re.search(r'\((\d{4})-\d\d-\d\d\)\.md$', rel)
    # agency = the law's path without extension (unique: add never sees two texts for one slot)
    rows.append([os.path.relpath(p, out), rel[:-3], m.group(1) if m else '2000', 'report'])
write('laws.list', paths)
with open(os.path.join(out, 'laws.manifest.csv'), 'w', encoding='utf-8', newline='') as f:
    w = csv.writer(f)
    w.writerow(['path', 'agency', 'year', 'kind'])
    w.writerows(rows)
for name in ('gov', 'laws', 'cases'):
    d = os.path.join(out, 'spaced', name)
    write(f'spaced-{name}.list', sorted(os.path.join(d, n) for n in os.listdir(d)))
print(f'{len(gov)} national reports, {len(cases)} case files, {len(laws)} laws')
