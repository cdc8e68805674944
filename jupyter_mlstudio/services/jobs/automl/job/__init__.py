"""What runs inside an AutoML job's candidates and model servers (standalone modules)."""
