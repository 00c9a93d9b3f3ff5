"""Data: the course's data sets and splits (``datasets``), the 2-D toy generators (``toy2d``)
and a learner's own uploaded CSV (``upload``)."""
