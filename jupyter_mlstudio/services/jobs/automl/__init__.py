"""AutoML jobs (Autopilot): analyse a table, train candidate pipelines, rank them."""
