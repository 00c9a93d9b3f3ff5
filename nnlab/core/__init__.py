"""The one training core: the run that steps (``loop``), the fast network with an optional
K axis (``network``), the readable backend that is the specification stepped (``reference``),
batched stacks (``batched``), the compute budget (``budget``), the result object (``result``),
and the entry points ``start`` / ``train`` (``train``)."""
