// Connects @polkadot/api to a Deepshard node and waits until its finalized head has advanced
// by `count` blocks. Prints one JSON line: the first and last finalized numbers and hashes.
// Usage: node finalized_heads.mjs ws://127.0.0.1:9944 2
import { ApiPromise, WsProvider } from '@polkadot/api';

const url = process.argv[2];
const count = Number(process.argv[3] ?? '1');
const timeout = setTimeout(() => { console.error('timed out'); process.exit(2); }, 110_000);

const api = await ApiPromise.create({ provider: new WsProvider(url), throwOnConnect: true });
const seen = [];
await new Promise((resolve) => {
  api.rpc.chain.subscribeFinalizedHeads((header) => {
    seen.push({ number: header.number.toNumber(), hash: header.hash.toHex() });
    if (seen[seen.length - 1].number >= seen[0].number + count) resolve();
  });
});
const peers = (await api.rpc.system.peers()).length;
console.log(JSON.stringify({ first: seen[0], last: seen[seen.length - 1], peers }));
clearTimeout(timeout);
await api.disconnect();
process.exit(0);
