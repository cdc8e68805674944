"""Real-time endpoints: the model server, the router and its figures, data capture."""
