"""The Deepshard block explorer: an indexer into SQL, a REST API and server-rendered pages.

* `models`: the SQLAlchemy 2 tables (blocks, extrinsics, events, accounts, transfers, batches,
  votes, slashes, rounds, scores, model versions, keepers, ciphertexts, purchases, licences)
  and `migrations/` (Alembic) that create them;
* `database`: engines for a database URL (SQLite by default, PostgreSQL for deployments) and
  ``upgrade`` to the newest schema;
* `rows`: a decoded block as table rows (pure); `authorship`: its Aura slot and author;
* `indexer`: follows the node's best and finalized chain through the typed chain client
  (`deepshard.client.rpc.client`), backfills from genesis, handles reorgs, resumes after a
  restart; `store`: the only writer, with the projections of batches, rounds, keepers and
  purchases;
* `queries`: what the API and pages read; `aggregation`: a round's consensus, outlier band and
  phase, as the Training pallet computes them; `charts`: their SVG;
* `api`: the REST API and the web pages (FastAPI, Jinja2), served by ``deepshard explorer
  serve``; `live`: the tip poller behind the pages' server-sent events;
* `cli`: ``deepshard explorer index`` and ``deepshard explorer serve``.

The explorer reaches the chain only through the typed client: it knows the runtime by its
metadata, never by importing it.
"""
