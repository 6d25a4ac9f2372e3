"""``deepshard devnet``: a whole Deepshard network on one machine, through one training round.

* `steps`: the ordered, named phases (`Step`, `PLAN`) and their states (`StepBoard`);
* `state`: ``devnet.json`` (topology, fresh keys, ports, progress) and the directory layout;
* `genesis`: the chain spec with fresh authorities, funded roles and the real model version 0;
* `children`: child processes with their own logs and process groups (`Supervisor`);
* `tracker`: chain events -> the round's report (votes, commits, scores, verdicts, payouts);
* `features`: which optional parts (Licences, keepers, inference) this build has;
* `runner`: the run itself (`Devnet`), in one `asyncio.TaskGroup`;
* `summary`, `view`: the JSON summary, the tables and the live view; `cli`: the command.

The devnet reaches the chain only through the typed client `deepshard.client.rpc.client`, and
every role through its own ``deepshard`` command, exactly as an operator would start it.
"""
