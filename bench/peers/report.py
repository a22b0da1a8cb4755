#!/usr/bin/env python3
"""Reads what bench/peers.sh measured (build-peers/{times,out,scores}) and prints the table;
with WRITE=1 also writes it, with the findings' numbers, to bench/peers/RESULTS.md."""
import csv, io, os, platform, statistics, sys, time

B, C, REPS, LOAD, WRITE, RESULTS = sys.argv[1:7]
REPS, WRITE = int(REPS), WRITE == '1'
base = os.path.basename


def lines(path):
    with open(path, encoding='utf-8') as f:
        return [l.rstrip('\n') for l in f if l.strip()]


def size(list_name):
    files = lines(os.path.join(C, list_name))
    return len(files), sum(os.path.getsize(f) for f in files)


def wall(name):
    t = [int(x) / 1e6 for x in lines(os.path.join(B, 'times', name))]
    return statistics.median(t), min(t), max(t)


def tsv_scores(path):
    out = {}
    for l in lines(path):
        a, b, s = l.split('\t')
        out[(base(a), base(b))] = float(s) if s else float('nan')
    return out


def simhash_matrix(path):
    """simhash -m: a header line, then 'FILE  i  s(i,1) ... s(i,i-1)'; returns {(later, earlier): s}."""
    names, out = [], {}
    for l in lines(path)[1:]:
        f = l.split()
        names.append(base(f[0]))
        for j, v in enumerate(f[2:]):
            out[(names[-1], names[j])] = out[(names[j], names[-1])] = float(v)
    return out


def yoy_scores(path):
    out = {}
    for r in csv.DictReader(io.StringIO(open(path, encoding='utf-8').read())):
        out[(base(r['file']), base(r['prior_file']))] = float(r['copy_ratio'])
    return out


def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(xs, ys):
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.mean(rx), statistics.mean(ry)
    num = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    den = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return num / den if den else float('nan')


pairs = [tuple(base(x) for x in l.split('\t')) for l in lines(os.path.join(C, 'gov.pairs'))]
case_pairs = [tuple(base(x) for x in l.split('\t')) for l in lines(os.path.join(C, 'cases.pairs'))]
O = lambda n: os.path.join(B, 'out', n)
S = lambda n: os.path.join(B, 'scores', n)

# tool -> (scores of the consecutive-year pairs, scores of the planted pairs, higher = more similar?,
#          unit, how it was fed)
tools = {
    'leitong compare': (tsv_scores(O('leitong-compare')), tsv_scores(S('leitong-cases')), True, 'copy ratio'),
    'leitong yoy': (yoy_scores(O('leitong-yoy')), None, True, 'copy ratio'),
    'sim_text (raw)': (tsv_scores(O('sim_text-raw-yoy')), tsv_scores(S('sim_text-raw-cases')), True, '% of A'),
    'sim_text (spaced, -r 5)': (tsv_scores(O('sim_text-spaced-yoy')), tsv_scores(S('sim_text-spaced-cases')), True, '% of A'),
    'simhash (Debian)': (simhash_matrix(O('simhash-m-gov')), simhash_matrix(S('simhash-m-cases')), True, 'resemblance'),
    'minhash (npm)': (tsv_scores(O('minhash-js-yoy')), tsv_scores(S('minhash-js-cases')), True, 'Jaccard est.'),
    'simhash-js (npm)': (tsv_scores(O('simhash-js-yoy')), tsv_scores(S('simhash-js-cases')), False, 'Hamming /32'),
}
ref = [tools['leitong compare'][0][p] for p in pairs]
agree = {}
for name, (yoy, cases, higher, unit) in tools.items():
    xs = [yoy[p] if higher else -yoy[p] for p in pairs]
    rho = spearman(xs, ref)
    vals = [yoy[p] for p in pairs]
    row = {'rho': rho, 'median': statistics.median(vals), 'min': min(vals), 'max': max(vals),
           'last': yoy[pairs[-1]], 'unit': unit, 'nonzero': sum(1 for v in vals if v != 0)}
    if cases:
        pos = cases[case_pairs[0]]
        neg = [cases[p] for p in case_pairs[1:]]
        best_neg = max(neg) if higher else min(neg)
        row.update(pos=pos, neg=best_neg,
                   separates=(pos > best_neg) if higher else (pos < best_neg))
    agree[name] = row

ngov, bgov = size('gov.list')
nlaws, blaws = size('laws.list')
npairs = len(pairs)
fmt = lambda x: f'{x:.3g}' if x < 100 else f'{x:.0f}'


def rowfmt(tool, task, timing, ref_timing, items, unit, agreement):
    med, lo, hi = wall(timing)
    r = med / wall(ref_timing)[0]
    rate = items / med
    return (f'| {tool} | {task} | {med:.3f} ({lo:.3f}–{hi:.3f}) | {fmt(rate)} {unit} | '
            f'{r:.2f}× | {agreement} |')


def agr(name):
    a = agree[name]
    s = f'ρ = {a["rho"]:.2f}' if a['nonzero'] else 'ρ undefined: every pair scored 0'
    if 'pos' in a:
        s += f'; planted {a["pos"]:g} vs best negative {a["neg"]:g} ({"separates" if a["separates"] else "does NOT separate"})'
    return s


MB = 1e6
T = []
T.append('| tool | task | wall s, median (min–max) | throughput | time vs leitong | agreement with leitong |')
T.append('|---|---|---:|---:|---:|---|')
T.append(rowfmt('leitong add', f'(a) archive {ngov} national reports', 'leitong-add-gov', 'leitong-add-gov', bgov / MB, 'MB/s', 'reference'))
T.append(rowfmt('simhash -w (Debian)', f'(a) sketch {ngov} national reports', 'simhash-w-gov', 'leitong-add-gov', bgov / MB, 'MB/s', 'bottom-128 CRC32 of 15-byte shingles'))
T.append(rowfmt('minhash (npm)', f'(a) sketch {ngov} national reports', 'minhash-js-gov', 'leitong-add-gov', bgov / MB, 'MB/s', 'classic 128-perm MinHash of 5-char shingles'))
T.append(rowfmt('simhash-js (npm)', f'(a) sketch {ngov} national reports', 'simhash-js-gov', 'leitong-add-gov', bgov / MB, 'MB/s', '32-bit SimHash of non-overlapping 5-char chunks'))
T.append(rowfmt('leitong add', f'(a) archive {nlaws} laws', 'leitong-add-laws', 'leitong-add-laws', blaws / MB, 'MB/s', 'reference'))
T.append(rowfmt('simhash -w (Debian)', f'(a) sketch {nlaws} laws', 'simhash-w-laws', 'leitong-add-laws', blaws / MB, 'MB/s', ''))
T.append(rowfmt('minhash (npm)', f'(a) sketch {nlaws} laws', 'minhash-js-laws', 'leitong-add-laws', blaws / MB, 'MB/s', ''))
T.append(rowfmt('simhash-js (npm)', f'(a) sketch {nlaws} laws', 'simhash-js-laws', 'leitong-add-laws', blaws / MB, 'MB/s', ''))
T.append(rowfmt('sim_text (raw)', f'(a\\*) all {nlaws} laws against each other (no sketch step)', 'sim_text-raw-laws', 'leitong-add-laws', blaws / MB, 'MB/s', 'vs leitong add'))
T.append(rowfmt('sim_text (spaced, -r 5)', f'(a\\*) all {nlaws} laws against each other (no sketch step)', 'sim_text-spaced-laws', 'leitong-add-laws', blaws / MB, 'MB/s', 'vs leitong add'))
T.append(rowfmt('leitong compare', f'(b) {npairs} year-over-year pairs, one process each', 'leitong-compare', 'leitong-compare', npairs, 'pairs/s', 'reference'))
T.append(rowfmt('leitong yoy', f'(b) yoy over the archive (each report checked against all {ngov})', 'leitong-yoy', 'leitong-compare', npairs, 'pairs/s', agr('leitong yoy')))
T.append(rowfmt('sim_text (raw)', f'(b) {npairs} pairs, one process each', 'sim_text-raw-yoy', 'leitong-compare', npairs, 'pairs/s', agr('sim_text (raw)')))
T.append(rowfmt('sim_text (spaced, -r 5)', f'(b) {npairs} pairs, one process each', 'sim_text-spaced-yoy', 'leitong-compare', npairs, 'pairs/s', agr('sim_text (spaced, -r 5)')))
T.append(rowfmt('simhash -m (Debian)', f'(b) sketch {ngov} + all {ngov * (ngov - 1) // 2} pairs, one process', 'simhash-m-gov', 'leitong-compare', npairs, 'pairs/s (of the 53)', agr('simhash (Debian)')))
T.append(rowfmt('minhash (npm)', f'(b) sketch {ngov} + {npairs} pairs, one process', 'minhash-js-yoy', 'leitong-compare', npairs, 'pairs/s', agr('minhash (npm)')))
T.append(rowfmt('simhash-js (npm)', f'(b) sketch {ngov} + {npairs} pairs, one process', 'simhash-js-yoy', 'leitong-compare', npairs, 'pairs/s', agr('simhash-js (npm)')))

U = []
U.append(f'| tool | score | ρ vs leitong compare ({npairs} pairs) | pairs with score ≠ 0 | median | min | max | 2022 vs 2021 | planted (luohu 2025 vs 2024) | best of the 4 negatives |')
U.append('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for name, a in agree.items():
    U.append(f'| {name} | {a["unit"]} | {a["rho"]:.3f} | {a["nonzero"]} | {a["median"]:g} | {a["min"]:g} | {a["max"]:g} | '
             f'{a["last"]:g} | {a.get("pos", "–")} | {a.get("neg", "–")} |')

# sim_text's tokens: how many "words" it sees in a Chinese text, raw and spaced
def words(path):
    out = {}
    for l in lines(path):
        f = l.split()
        out[base(f[1].rstrip(':'))] = int(f[2])
    return out
wr, ws = words(S('sim_text-words-raw')), words(S('sim_text-words-spaced'))
chars = sum(len(open(f, encoding='utf-8').read()) for f in lines(os.path.join(C, 'gov.list')))
W = (f'sim_text tokens over the {ngov} national reports ({chars:,} code points): raw {sum(wr.values()):,} '
     f'"words" ({chars / max(1, sum(wr.values())):.0f} code points per token: a token is a whole line, since '
     f'every byte > 127 is a "letter"); spaced {sum(ws.values()):,} (one per non-space character).')

cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
head = (f'Measured {time.strftime("%Y-%m-%d %H:%M %Z")}, {REPS} runs per task (median, min–max wall seconds), '
        f'load average at the end {LOAD}; `nproc` = {os.cpu_count()} ({cpu}), shared with other '
        f'engineers\' builds: wall times are noisy. Corpora: {ngov} national reports ({bgov:,} B UTF-8), '
        f'{nlaws} laws ({blaws:,} B). Throughput is of the raw UTF-8 input bytes.')
text = '\n'.join([head, '', *T, '', *U, '', W])
print(text)
if WRITE:
    with open(RESULTS, encoding='utf-8') as f:
        doc = f.read()
    start, end = '<!-- peers.sh:begin -->', '<!-- peers.sh:end -->'
    if start in doc and end in doc:
        doc = doc[:doc.index(start) + len(start)] + '\n' + text + '\n' + doc[doc.index(end):]
    else:
        doc += f'\n{start}\n{text}\n{end}\n'
    with open(RESULTS, 'w', encoding='utf-8') as f:
        f.write(doc)
    print(f'\n(written to {RESULTS})')
