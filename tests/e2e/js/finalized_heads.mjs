// Connects @polkadot/api to Deepshard nodes and waits until each one's finalized head has
// advanced by `count` blocks. Prints one JSON line per node: the first and last finalized
// numbers and hashes it saw, and its peer count.
// Usage: node finalized_heads.mjs COUNT ws://127.0.0.1:9944 [ws://… …]
import { ApiPromise, WsProvider } from '@polkadot/api';

const count = Number(process.argv[2]);
const urls = process.argv.slice(3);
const timeout = setTimeout(() => { console.error('timed out'); process.exit(2); }, 110_000);

async function follow(url) {
  const api = await ApiPromise.create({ provider: new WsProvider(url), throwOnConnect: true });
  const seen = [];
  await new Promise((resolve) => {
    api.rpc.chain.subscribeFinalizedHeads((header) => {
      seen.push({ number: header.number.toNumber(), hash: header.hash.toHex() });
      if (seen[seen.length - 1].number >= seen[0].number + count) resolve();
    });
  });
  const peers = (await api.rpc.system.peers()).length;
  await api.disconnect();
  return { url, first: seen[0], last: seen[seen.length - 1], peers };
}

const results = await Promise.all(urls.map(follow));
for (const result of results) console.log(JSON.stringify(result));
clearTimeout(timeout);
process.exit(0);
