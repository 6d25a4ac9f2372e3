"""Off-chain worker processes: follow finalized blocks over RPC and act with their own key.

`runner.run_worker` is the framework (reconnection with backoff, Prometheus metrics, an
`asyncio.TaskGroup`); `outbox.Outbox` keeps every transaction a worker signs in SQLite so a
restart resubmits the same bytes instead of acting twice; roles (`curator.CuratorRole`) decide
what to do at each finalized block. ``deepshard worker ROLE`` (`cli`) starts one.
"""
