"""Model Monitor: monitoring schedules over endpoints' captured data and their executions
(processing jobs running the analyzer of :mod:`jupyter_mlstudio.monitoring`)."""
