// kubo-rpc-client (Kubo's official JS client), unmodified, against `deepshard ipfs daemon`.
// Usage: node kubo_client.mjs API_URL  -> one JSON line of what the client saw.
import { create } from 'kubo-rpc-client'

const api = process.argv[2]
const client = create({ url: api })
const out = {}

const version = await client.version()
out.version = version.version

const hello = await client.add(new TextEncoder().encode('hello world\n'))
out.helloV0 = hello.cid.toString()
const helloV1 = await client.add(new TextEncoder().encode('hello world\n'), { cidVersion: 1 })
out.helloV1 = helloV1.cid.toString()

// A multi-chunk file (3 x 256 KiB + 5) and a small tree, wrapped in a directory.
const big = new Uint8Array(3 * 262144 + 5)
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9) + (i >> 18) * 7) & 0xff
const bigAdded = await client.add(big, { rawLeaves: false })
out.big = bigAdded.cid.toString()
out.bigSize = Number(bigAdded.size)

const chunks = []
for await (const chunk of client.cat(bigAdded.cid)) chunks.push(chunk)
const back = Buffer.concat(chunks)
out.catMatches = back.length === big.length && Buffer.compare(back, Buffer.from(big)) === 0
const window = []
for await (const chunk of client.cat(bigAdded.cid, { offset: 262140, length: 10 })) window.push(chunk)
out.catWindow = Buffer.concat(window).toString('hex')

const tree = []
for await (const entry of client.addAll([
  { path: 'tree/a.txt', content: new TextEncoder().encode('alpha\n') },
  { path: 'tree/sub/b.txt', content: new TextEncoder().encode('beta\n') }
], { wrapWithDirectory: true })) tree.push({ path: entry.path, cid: entry.cid.toString() })
out.tree = tree

const unpinned = await client.add(new TextEncoder().encode('not pinned'), { pin: false })
await client.pin.add(unpinned.cid)
const pins = []
for await (const pin of client.pin.ls()) pins.push({ cid: pin.cid.toString(), type: pin.type })
out.pins = pins
await client.pin.rm(unpinned.cid)
const after = []
for await (const pin of client.pin.ls()) after.push(pin.cid.toString())
out.pinsAfterRm = after

const stat = await client.block.stat(hello.cid)
out.blockStat = { cid: stat.cid.toString(), size: stat.size }
const raw = await client.block.get(hello.cid)
out.blockBytes = Buffer.from(raw).toString('hex')
const put = await client.block.put(new TextEncoder().encode('a raw block'))
out.blockPut = put.toString()

try {
  await client.pin.rm(put)
  out.pinRmError = null
} catch (err) {
  out.pinRmError = String(err.message)
}

const car = []
for await (const chunk of client.dag.export(bigAdded.cid)) car.push(chunk)
out.carBytes = Buffer.concat(car).length

process.stdout.write(JSON.stringify(out) + '\n')
