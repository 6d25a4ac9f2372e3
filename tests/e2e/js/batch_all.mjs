// Drives the Utility pallet through @polkadot/api's own decorated calls (tx.utility.*):
// a successful batchAll of transfers and a remark, a failing batchAll (all undone, the module
// error resolved by polkadot.js from metadata), and asDerivative. Also prints the multisig and
// derivative accounts @polkadot/util-crypto derives, for the Python side to compare.
// Prints one JSON line of findings. Usage: node batch_all.mjs ws://127.0.0.1:9944
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { createKeyDerived, createKeyMulti, cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

const url = process.argv[2];
const timeout = setTimeout(() => { console.error('timed out'); process.exit(2); }, 120_000);

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url), throwOnConnect: true });
const keyring = new Keyring({ type: 'sr25519' });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');
const charlie = keyring.addFromUri('//Charlie');
const DSH = 1_000_000_000_000n;

// Resolves with the events and the dispatch error (decoded by polkadot.js) once included.
function send(tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isInBlock || status.isFinalized) {
        let error = null;
        if (dispatchError) {
          if (dispatchError.isModule) {
            const meta = api.registry.findMetaError(dispatchError.asModule);
            error = `${meta.section}.${meta.name}`;
          } else {
            error = dispatchError.toString();
          }
        }
        resolve({
          events: events.map(({ event }) => `${event.section}.${event.method}`),
          data: events.map(({ event }) => event.toHuman()),
          error,
        });
      }
    }).catch(reject);
  });
}

const free = async (who) => (await api.query.system.account(who.address)).data.free.toBigInt();

const bob0 = await free(bob);
const charlie0 = await free(charlie);
const ok = await send(api.tx.utility.batchAll([
  api.tx.balances.transferKeepAlive(bob.address, DSH),
  api.tx.balances.transferKeepAlive(charlie.address, 2n * DSH),
  api.tx.system.remarkWithEvent('deepshard'),
]), alice);
const bob1 = await free(bob);
const charlie1 = await free(charlie);

const failed = await send(api.tx.utility.batchAll([
  api.tx.balances.transferKeepAlive(charlie.address, DSH),
  api.tx.utility.batchAll([api.tx.system.remark('nested')]),
]), bob);
const charlie2 = await free(charlie);

const derived = await send(api.tx.utility.asDerivative(7, api.tx.system.remarkWithEvent('hi')), alice);
const remarked = derived.data.find((e) => e.section === 'system' && e.method === 'Remarked');

console.log(JSON.stringify({
  ok: { events: ok.events, error: ok.error },
  bobGain: (bob1 - bob0).toString(),
  charlieGain: (charlie1 - charlie0).toString(),
  failed: { events: failed.events, error: failed.error },
  charlieAfterFailed: (charlie2 - charlie1).toString(),
  derivedSender: remarked ? remarked.data.sender : null,
  createKeyDerived: keyring.encodeAddress(createKeyDerived(alice.publicKey, 7), 42),
  createKeyMulti: u8aToHex(createKeyMulti([alice.address, bob.address, charlie.address], 2)),
  alice: u8aToHex(alice.publicKey),
  bob: u8aToHex(bob.publicKey),
  charlie: u8aToHex(charlie.publicKey),
}));
clearTimeout(timeout);
await api.disconnect();
process.exit(0);
