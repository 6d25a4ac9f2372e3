"""The Deepshard block explorer: an indexer into SQL, a REST API and server-rendered pages.

* `models`: the SQLAlchemy 2 tables (blocks, extrinsics, events, accounts, transfers, batches,
  votes, slashes) and `migrations/` (Alembic) that create them;
* `database`: engines for a database URL (SQLite by default, PostgreSQL for deployments) and
  ``upgrade`` to the newest schema;
* `indexer`: follows the node's best and finalized chain through the typed chain client
  (`deepshard.client.rpc.client`), backfills from genesis, handles reorgs, resumes after a
  restart;
* `api`: the REST API and the web pages (FastAPI, Jinja2), served by ``deepshard explorer serve``;
* `cli`: ``deepshard explorer index`` and ``deepshard explorer serve``.

The explorer reaches the chain only through the typed client: it knows the runtime by its
metadata, never by importing it.
"""
