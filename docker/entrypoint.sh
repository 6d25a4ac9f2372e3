#!/bin/sh
# The image's entrypoint: every role is `deepshard <command> ...` (see compose.yaml).
#
#   deepshard-entrypoint node --chain /shared/chain-spec.json --validator ...
#   deepshard-entrypoint worker trainer --node ws://full-node:9944 --key //Bob ...
#   deepshard-entrypoint genesis CHAIN OUT_DIR   one-shot: bootstrap the model, write the spec
#   deepshard-entrypoint seed-api API [DIR]      one-shot: copy the model and probe set to Kubo
#
# `genesis` pins the bootstrapped base model and its probe set in $DEEPSHARD_IPFS_PATH and
# writes OUT_DIR/genesis-model.json and OUT_DIR/chain-spec.json (raw) for preset CHAIN, unless
# OUT_DIR/chain-spec.json exists already (a restarted stack keeps its chain).
set -eu

if [ "$#" -eq 0 ]; then
    set -- --help
fi

case "$1" in
    genesis)
        chain="${2:-local}"
        out="${3:-/shared}"
        if [ -s "$out/chain-spec.json" ]; then
            echo "genesis: $out/chain-spec.json exists; keeping it"
            exit 0
        fi
        mkdir -p "$out"
        deepshard ml bootstrap --repo "${DEEPSHARD_IPFS_PATH:-/data/ipfs}" --json \
            --output "$out/genesis-model.json" > /dev/null
        deepshard chain-spec build --chain "$chain" --genesis-model "$out/genesis-model.json" \
            --raw --output "$out/chain-spec.json.tmp"
        mv "$out/chain-spec.json.tmp" "$out/chain-spec.json"
        echo "genesis: wrote $out/chain-spec.json"
        ;;
    seed-api)
        api="${2:?seed-api needs the Kubo RPC URL}"
        dir="${3:-/shared}"
        for cid in $(python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
print(doc["baseModel"]["cid"], doc["probeSet"]["cid"])' "$dir/genesis-model.json"); do
            deepshard ipfs --repo "${DEEPSHARD_IPFS_PATH:-/data/ipfs}" car export "$cid" \
                --output "$dir/$cid.car"
            deepshard ipfs --api "$api" car import "$dir/$cid.car"
            rm -f "$dir/$cid.car"
        done
        echo "seed-api: the base model and probe set are pinned at $api"
        ;;
    *)
        exec deepshard "$@"
        ;;
esac
