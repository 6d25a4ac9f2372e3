// CIDs from ipfs-unixfs-importer (the importer Helia uses), configured as a Kubo profile.
// Usage: node import_vectors.mjs CASES.json  -> one JSON line: {case name: {path: cid}}
// Each case: {profile, chunkSize?, maxLinks?, wrap, files: [{path, size, seed}], dirs: [path]}
// File bytes: 4 KiB blocks, block k = sha256(`${seed}:${k}`) repeated 128 times, cut to size.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

async function * content (size, seed) {
  for (let k = 0, left = size; left > 0; k++) {
    const digest = createHash('sha256').update(`${seed}:${k}`).digest()
    const block = Buffer.concat(Array(128).fill(digest))
    yield block.subarray(0, Math.min(left, 4096))
    left -= 4096
  }
}

const blackHole = { put: async (cid) => cid, get: async () => { throw new Error('write-only') }, has: async () => false }
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const out = {}
for (const [name, spec] of Object.entries(cases)) {
  const options = { profile: spec.profile, wrapWithDirectory: spec.wrap ?? false }
  if (spec.chunkSize != null) options.chunker = fixedSize({ chunkSize: spec.chunkSize })
  if (spec.maxLinks != null) options.layout = balanced({ maxChildrenPerNode: spec.maxLinks })
  const inputs = spec.files.map(f => ({ path: f.path, content: content(f.size, f.seed) }))
  for (const dir of spec.dirs ?? []) inputs.push({ path: dir })
  const found = {}
  for await (const entry of importer(inputs, blackHole, options)) {
    found[entry.path] = entry.cid.toString()
  }
  out[name] = found
}
process.stdout.write(JSON.stringify(out) + '\n')
