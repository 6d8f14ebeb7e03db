"""The oracle fault suite: the whole pipeline as processes, judged from the topics alone.

``check.py`` is the judge (pure: records and samples in, violations out), ``observe.py`` reads
the bus, ``harness.py`` runs broker clients, mock LLM and workers, ``scenarios.py`` injects the
faults, ``soak.py`` repeats every scenario and appends to ``soak.log``.
"""
