"""Lessons: experiments built from runs, one idea of the course each (symmetry breaking, the
bias/variance diagnosis, per-layer statistics, input scaling, dropout replay, 2-D surfaces and
optimizer paths, hyperparameter search)."""
