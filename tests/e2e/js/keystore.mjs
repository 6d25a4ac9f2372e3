// Keystore interop with @polkadot/keyring, unmodified (run from pytest).
// Usage:
//   node keystore.mjs export <suri> <sr25519|ed25519> <password>   -> the pair's JSON export
//   node keystore.mjs load <file> <password> <message-hex>         -> {address, type, signature}
import { readFileSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { hexToU8a, u8aToHex } from '@polkadot/util';

await cryptoWaitReady();
const [mode, ...args] = process.argv.slice(2);
if (mode === 'export') {
  const [suri, type, password] = args;
  const pair = new Keyring({ type, ss58Format: 42 }).addFromUri(suri, { name: 'from-polkadot-js' });
  console.log(JSON.stringify(pair.toJson(password)));
} else if (mode === 'load') {
  const [file, password, message] = args;
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const keyring = new Keyring({ ss58Format: 42 });
  const pair = keyring.addFromJson(json);
  pair.decodePkcs8(password);
  console.log(JSON.stringify({
    address: pair.address,
    type: pair.type,
    publicKey: u8aToHex(pair.publicKey),
    signature: u8aToHex(pair.sign(hexToU8a(message))),
  }));
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
