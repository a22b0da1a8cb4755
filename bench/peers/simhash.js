// npm `simhash-js` (1.0.0): Charikar SimHash, 32 bits only (no 64-bit option), Jenkins lookup3
// hashes of the text cut into NON-overlapping chunks of kshingles code units (kshingles: 5 here;
// the library cannot slide the window). maxFeatures left at its default (128). Score: Hamming
// distance of the two 32-bit hashes (0 = identical, about 16 = unrelated).
'use strict';
const { peer, run } = require('./common.js');
const { SimHash } = peer('simhash-js');

const sh = new SimHash({ kshingles: 5 });
function popcount32(x) { let c = 0; for (x >>>= 0; x; x &= x - 1) c++; return c; }
run(text => sh.hash(text) >>> 0, (a, b) => popcount32(a ^ b));
