"""The SageMaker Python SDKs (v2 and v3), unmodified, against a real studio."""
