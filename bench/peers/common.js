// Shared by minhash.js and simhash.js: read a list of files (one path a line), optional pairs
// (one "A<TAB>B" a line, paths as in the list) and print "A<TAB>B<TAB>score" for each pair.
'use strict';
const fs = require('fs');
const path = require('path');

// node_modules live in build-peers/npm (bench/peers.sh installs them there), not in the source tree.
const MODULES = process.env.PEERS_NODE_MODULES ||
  path.join(__dirname, '..', '..', 'build-peers', 'npm', 'node_modules');
function peer(name) { return require(path.join(MODULES, name)); }

function run(sketchOf, score) {
  const args = process.argv.slice(2);
  if (args.length < 1) {
    console.error('usage: node ' + path.basename(process.argv[1]) + ' FILELIST [PAIRS]');
    process.exit(2);
  }
  const files = fs.readFileSync(args[0], 'utf8').split('\n').filter(Boolean);
  const t0 = process.hrtime.bigint();
  const sketches = new Map();
  let bytes = 0;
  for (const f of files) {
    const buf = fs.readFileSync(f);
    bytes += buf.length;
    sketches.set(f, sketchOf(buf.toString('utf8')));  // raw UTF-8 text, nothing normalized
  }
  const t1 = process.hrtime.bigint();
  let out = '';
  if (args[1]) {
    for (const line of fs.readFileSync(args[1], 'utf8').split('\n').filter(Boolean)) {
      const [a, b] = line.split('\t');
      if (!sketches.has(a)) sketches.set(a, sketchOf(fs.readFileSync(a, 'utf8')));
      if (!sketches.has(b)) sketches.set(b, sketchOf(fs.readFileSync(b, 'utf8')));
      out += a + '\t' + b + '\t' + score(sketches.get(a), sketches.get(b)) + '\n';
    }
  }
  process.stdout.write(out);
  console.error(`${files.length} docs, ${bytes} bytes sketched in ${(Number(t1 - t0) / 1e6).toFixed(1)} ms`);
}

module.exports = { peer, run };
