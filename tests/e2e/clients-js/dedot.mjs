// dedot, unmodified, against a Deepshard node: constants, storage, a runtime API, a fee
// estimate, and a signed transfer followed until finalized with its events.
// Usage: node dedot.mjs ws://127.0.0.1:9944 auto|v2
//   auto: dedot picks the JSON-RPC version (the new spec when the node offers it)
//   v2:   rpcVersion 'v2', the new JSON-RPC spec only
import { DedotClient, WsProvider } from 'dedot';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const [url, mode] = process.argv.slice(2);
const timeout = setTimeout(() => { console.error('timed out'); process.exit(2); }, 100_000);
await cryptoWaitReady();
const options = { provider: new WsProvider(url) };
if (mode === 'v2') options.rpcVersion = 'v2';
const client = await DedotClient.new(options);
const keyring = new Keyring({ type: 'sr25519' });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');
const big = (value) => (typeof value === 'bigint' ? value.toString() : value);

const version = client.consts.system.version;
const ss58 = client.consts.system.ss58Prefix;
const before = (await client.query.system.account(bob.address)).data.free;
const locks = await client.query.balances.locks(bob.address);
const nonce = await client.call.accountNonceApi.accountNonce(alice.address);
const amount = 1_000_000_000_000n;
const tx = client.tx.balances.transferKeepAlive(bob.address, amount);
const info = await tx.paymentInfo(alice.address);
const result = await tx.signAndSend(alice).untilFinalized();
const after = (await client.query.system.account(bob.address)).data.free;
const events = result.events.map(({ event }) => `${event.pallet}.${event.palletEvent.name ?? event.palletEvent}`);

console.log(JSON.stringify({
  rpcVersion: client.rpcVersion,
  metadataVersion: client.metadata.version,
  specName: version.specName,
  specVersion: version.specVersion,
  ss58,
  locks,
  nonce,
  fee: big(info.partialFee),
  status: result.status.type,
  events,
  before: big(before),
  after: big(after),
}));
clearTimeout(timeout);
await client.disconnect();
process.exit(0);
