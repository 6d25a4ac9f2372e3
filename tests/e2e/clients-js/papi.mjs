// polkadot-api (PAPI), unmodified, against a Deepshard node: metadata read dynamically
// (getUnsafeApi, no generated descriptors), constants and storage, a runtime API, a fee
// estimate, and a signed transfer followed until finalized with its events.
// Usage: node papi.mjs ws://127.0.0.1:9944 default|raw
//   default: polkadot-api/ws getWsProvider (new spec, with legacy fallbacks where missing)
//   raw:     polkadot-api/ws getWsRawProvider (the new JSON-RPC spec only)
import { WebSocket } from 'ws';
import { createClient } from 'polkadot-api';
import { getWsProvider, getWsRawProvider } from 'polkadot-api/ws';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { sr25519CreateDerive } from '@polkadot-labs/hdkd';
import { DEV_PHRASE, entropyToMiniSecret, mnemonicToEntropy, ss58Address } from '@polkadot-labs/hdkd-helpers';

const [url, mode] = process.argv.slice(2);
const timeout = setTimeout(() => { console.error('timed out'); process.exit(2); }, 100_000);
const seen = new Set();
const logger = (event) => {
  if (event.type === 'OUT') {
    try { seen.add(JSON.parse(event.msg).method); } catch { /* not JSON */ }
  }
};
// Node 20 has no global WebSocket: hand PAPI the `ws` package's.
const options = { logger, websocketClass: WebSocket };
const provider = mode === 'raw' ? getWsRawProvider(url, options) : getWsProvider(url, options);
const client = createClient(provider);
const api = client.getUnsafeApi();

const derive = sr25519CreateDerive(entropyToMiniSecret(mnemonicToEntropy(DEV_PHRASE)));
const alice = derive('//Alice');
const bob = derive('//Bob');
const aliceAddress = ss58Address(alice.publicKey, 42);
const bobAddress = ss58Address(bob.publicKey, 42);
const signer = getPolkadotSigner(alice.publicKey, 'Sr25519', alice.sign);
const big = (value) => (typeof value === 'bigint' ? value.toString() : value);

const version = await api.constants.System.Version();
const ss58 = await api.constants.System.SS58Prefix();
const existentialDeposit = await api.constants.Balances.ExistentialDeposit();
const before = (await api.query.System.Account.getValue(bobAddress)).data.free;
const locks = await api.query.Balances.Locks.getValue(bobAddress);
const nonce = await api.apis.AccountNonceApi.account_nonce(aliceAddress);
const amount = 1_000_000_000_000n;
const tx = api.tx.Balances.transfer_keep_alive({ dest: { type: 'Id', value: bobAddress }, value: amount });
const fee = await tx.getEstimatedFees(aliceAddress);
const result = await tx.signAndSubmit(signer);
const after = (await api.query.System.Account.getValue(bobAddress, { at: result.block.hash })).data.free;
const events = result.events.map((e) => `${e.type}.${e.value.type}`);
const paid = result.events.find((e) => e.type === 'TransactionPayment' && e.value.type === 'TransactionFeePaid');

console.log(JSON.stringify({
  specName: version.spec_name,
  specVersion: version.spec_version,
  ss58,
  existentialDeposit: big(existentialDeposit),
  locks,
  nonce,
  fee: big(fee),
  paidFee: paid ? big(paid.value.value.actual_fee) : null,
  ok: result.ok,
  block: result.block.number,
  events,
  before: big(before),
  after: big(after),
  methods: [...seen].filter(Boolean).sort(),
}));
clearTimeout(timeout);
client.destroy();
process.exit(0);
