// @polkadot/api's rpc.system.dryRun against a Deepshard node: a transfer that would succeed, one
// that would fail in dispatch, and one with a future nonce. Also api.call (runtime APIs read from
// metadata V15) and the fee details. Prints one JSON line of findings.
// Usage: node dry_run.mjs ws://127.0.0.1:9944
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
const nonce = (await api.call.accountNonceApi.accountNonce(alice.address)).toNumber();

const describe = (result) => {
  if (result.isErr) return { valid: false, error: result.asErr.toJSON() };
  const outcome = result.asOk;
  if (outcome.isOk) return { valid: true, ok: true };
  const error = outcome.asErr;
  if (error.isModule) {
    const { section, name } = api.registry.findMetaError(error.asModule);
    return { valid: true, ok: false, error: `${section}.${name}` };
  }
  return { valid: true, ok: false, error: error.toJSON() };
};

const dry = async (tx, options, signer = alice) => {
  const signed = await tx.signAsync(signer, options);
  return describe(await api.rpc.system.dryRun(signed.toHex()));
};
const good = await dry(api.tx.balances.transferKeepAlive(bob.address, 1_000_000_000_000n), { nonce });
// Bob is not the sudo key of the dev chain (Alice is): dispatched, fails with Sudo's error.
const bobNonce = (await api.call.accountNonceApi.accountNonce(bob.address)).toNumber();
const failing = await dry(api.tx.sudo.sudo(api.tx.system.remark('0x00')), { nonce: bobNonce }, bob);
const future = await dry(api.tx.system.remark('0x00'), { nonce: nonce + 5 });
const after = (await api.call.accountNonceApi.accountNonce(alice.address)).toNumber();

const transfer = api.tx.balances.transferKeepAlive(bob.address, 1n);
const signed = await transfer.signAsync(alice, { nonce });
const details = await api.rpc.payment.queryFeeDetails(signed.toHex());
const u8a = signed.toU8a(); // as polkadot.js's own paymentInfo passes it
const info = await api.call.transactionPaymentApi.queryInfo(u8a, u8a.length);

console.log(JSON.stringify({
  metadataVersion: api.runtimeMetadata.version,
  good,
  failing,
  future,
  nonceBefore: nonce,
  nonceAfter: after,
  feeDetails: details.toJSON(),
  partialFee: info.partialFee.toString(),
  listen: (await api.rpc.system.localListenAddresses()).toJSON(),
}));
clearTimeout(timeout);
await api.disconnect();
process.exit(0);
