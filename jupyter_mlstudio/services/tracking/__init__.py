"""Experiment tracking: experiments, trials, runs, metrics and run files
(``experiments.py``), and chart data (``charts.py``)."""
