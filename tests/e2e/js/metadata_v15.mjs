// Decode Deepshard's V15 metadata with @polkadot/types, re-encode it, and decode sample values
// by type id. Input (stdin, JSON): {"metadata": "0x...", "samples": [{"type": id, "hex": "0x..."}]}.
// Output (last line, JSON): what @polkadot/types read, for the Python test to compare.
import { readFileSync } from 'node:fs';
import { Metadata, TypeRegistry } from '@polkadot/types';

const input = JSON.parse(readFileSync(0, 'utf8'));
const registry = new TypeRegistry();
const metadata = new Metadata(registry, input.metadata);
registry.setMetadata(metadata);
const v15 = metadata.asV15;
const lookup = v15.lookup;
const name = (id) => lookup.getSiType(id).path.map((p) => p.toString()).join('::');

const samples = input.samples.map(({ type, hex }) => {
  const value = registry.createType(lookup.getTypeDef(type).lookupName || registry.createLookupType(type), hex);
  return { type, reencoded: value.toHex(), json: value.toJSON() };
});

console.log(JSON.stringify({
  version: metadata.version,
  reencoded: metadata.toHex(),
  types: lookup.types.length,
  pallets: v15.pallets.map((p) => [p.name.toString(), p.index.toNumber(), p.docs.length]),
  extrinsic: {
    version: v15.extrinsic.version.toNumber(),
    address: name(v15.extrinsic.addressType),
    call: name(v15.extrinsic.callType),
    signature: name(v15.extrinsic.signatureType),
    extra: lookup.getSiType(v15.extrinsic.extraType).def.asTuple.length,
    signedExtensions: v15.extrinsic.signedExtensions.map((e) => e.identifier.toString()),
  },
  outerEnums: {
    call: name(v15.outerEnums.callType),
    event: name(v15.outerEnums.eventType),
    error: name(v15.outerEnums.errorType),
  },
  apis: v15.apis.map((api) => [
    api.name.toString(),
    api.methods.map((m) => [m.name.toString(), m.inputs.map((i) => i.name.toString()), m.output.toNumber()]),
  ]),
  custom: v15.custom.map.size,
  samples,
}));
