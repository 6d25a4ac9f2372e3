// Connects @polkadot/api to a Deepshard node, reads a balance, signs and sends a transfer,
// and waits until it is in a block with its events. Prints one JSON line of findings.
// Usage: node transfer.mjs ws://127.0.0.1:9944
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2];
const timeout = setTimeout(() => { console.error('timed out'); process.exit(2); }, 90_000);

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url), throwOnConnect: true });
const keyring = new Keyring({ type: 'sr25519' });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');

const before = (await api.query.system.account(bob.address)).data.free.toBigInt();
const amount = 1_000_000_000_000n;
const found = await new Promise((resolve, reject) => {
  api.tx.balances.transferKeepAlive(bob.address, amount)
    .signAndSend(alice, ({ status, events, dispatchError }) => {
      if (dispatchError) reject(new Error(dispatchError.toString()));
      // A dev chain finalizes each block as it is imported, so the "finalized" status can
      // overtake "inBlock" inside polkadot.js (it drops the older status): accept either.
      if (status.isInBlock || status.isFinalized) {
        resolve({
          status: status.type,
          blockHash: (status.isInBlock ? status.asInBlock : status.asFinalized).toHex(),
          events: events.map(({ event }) => `${event.section}.${event.method}`),
        });
      }
    })
    .catch(reject);
});
const after = (await api.query.system.account(bob.address)).data.free.toBigInt();
console.log(JSON.stringify({
  chain: (await api.rpc.system.chain()).toString(),
  specName: api.runtimeVersion.specName.toString(),
  before: before.toString(),
  after: after.toString(),
  ...found,
}));
clearTimeout(timeout);
await api.disconnect();
process.exit(0);
