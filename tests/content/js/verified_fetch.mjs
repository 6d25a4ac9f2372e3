// @helia/verified-fetch over @helia/http pointed at our trustless gateway (nothing else).
// Usage: node verified_fetch.mjs GATEWAY_URL CID [CID/path ...] -> one JSON line per run.
import './node20.mjs'
const { createVerifiedFetch } = await import('@helia/verified-fetch')
const { withHTTP } = await import('@helia/http')
const { createHeliaLight } = await import('helia')
const { fallbackRouter } = await import('@helia/fallback-router')

const [gateway, ...targets] = process.argv.slice(2)
// A Helia node that can only reach our gateway: no libp2p, no delegated routers, no network.
// Our gateway listens on loopback over plain HTTP, which Helia refuses unless told otherwise.
const helia = withHTTP(createHeliaLight(), {
  delegatedRouters: [],
  recursiveGateways: [],
  allowInsecure: true,
  allowLocal: true
})
// Our gateway as the one ordinary content router (Helia waits forever when only fallback
// routers exist, so the fallback router's provider record is offered as a regular router).
const gatewayProviders = fallbackRouter({ gateways: [gateway], shuffle: false })
helia.addRouter({
  name: 'deepshard-gateway',
  findProviders: (cid, options) => gatewayProviders.findProviders(cid, options)
})
await helia.start()
const verifiedFetch = await createVerifiedFetch(helia)
const out = {}
try {
  for (const target of targets) {
    const response = await verifiedFetch(`ipfs://${target}`)
    const body = Buffer.from(await response.arrayBuffer())
    out[target] = {
      status: response.status,
      length: body.length,
      sha256: (await import('node:crypto')).createHash('sha256').update(body).digest('hex')
    }
  }
} finally {
  await verifiedFetch.stop()
  await helia.stop()
}
process.stdout.write(JSON.stringify(out) + '\n')
