// npm `minhash` (0.0.9): classic MinHash, 128 permutations (its default, numPerm: 128), fed the
// distinct 5-code-point shingles of the raw text (the library does no tokenizing of its own: the
// caller update()s it with strings). Score: its own jaccard() estimate.
'use strict';
const { peer, run } = require('./common.js');
const { Minhash } = peer('minhash');

const K = 5;
function sketchOf(text) {
  const cps = Array.from(text);          // code points (CJK are one UTF-16 unit each anyway)
  const seen = new Set();
  for (let i = 0; i + K <= cps.length; i++) seen.add(cps.slice(i, i + K).join(''));
  if (cps.length < K) seen.add(text);
  const m = new Minhash({ numPerm: 128 });
  for (const s of seen) m.update(s);
  return m;
}
run(sketchOf, (a, b) => a.jaccard(b).toFixed(4));
