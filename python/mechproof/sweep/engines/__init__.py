"""Engines run a sweep's pending (seed, strategies) tasks and report one event per task: `local` in this process
or a process pool on this machine, `ray` on a Ray cluster (imported only when asked for)."""
