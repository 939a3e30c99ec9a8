"""One module per library or row group measured by benchmarks/run.py.

Each defines ``NAME`` (the ``--only`` entry), ``ORDER`` (when it runs) and
``run(cfg, pipelines) -> list[Row]``, built with the helpers in ``harness.py``.
"""
