"""Endpoints: models, endpoint configurations and live endpoints (``service.py``), the
records of models and configurations (``records.py``), request models (``requests.py``)
and weight changes (``weights.py``)."""
