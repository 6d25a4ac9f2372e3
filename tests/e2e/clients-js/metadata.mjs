// Decode metadata bytes with polkadot-api's and dedot's own metadata codecs, then encode them
// again: both must give back the same bytes. Input (stdin): JSON {"v14": "0x...", "v15": "0x..."}.
// Output (last line, JSON): per version and client, whether the bytes round-tripped, and what
// was read.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { $Metadata } from '@dedot/codecs';

// polkadot-api's own copy of its bindings (another, older copy is hoisted for sidecar).
const fromPapi = createRequire(createRequire(import.meta.url).resolve('polkadot-api'));
const bindings = await import(fromPapi.resolve('@polkadot-api/substrate-bindings'));

const input = JSON.parse(readFileSync(0, 'utf8'));
const hex = (bytes) => '0x' + Buffer.from(bytes).toString('hex');
const bytes = (h) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
const out = {};
for (const [version, data] of Object.entries(input)) {
  const papi = bindings.metadata.dec(data);
  const dedot = $Metadata.tryDecode(bytes(data));
  const latest = papi.metadata.value;
  out[version] = {
    papi: {
      tag: papi.metadata.tag,
      roundTrip: hex(bindings.metadata.enc(papi)) === data,
      pallets: latest.pallets.map((p) => p.name),
      apis: (latest.apis ?? []).map((a) => `${a.name}:${a.methods.length}`),
    },
    dedot: {
      tag: dedot.metadataVersioned.type,
      roundTrip: hex($Metadata.tryEncode(dedot)) === data,
    },
  };
}
console.log(JSON.stringify(out));
