"""The operations the API answers, one module per resource.

Each module registers its functions in :data:`..registry.SAGEMAKER` (or ``STS``) with
``@SAGEMAKER.operation("<Operation>")``; :func:`..registry.load_operations` imports every
module here, so a new resource is a new module and nothing else.
"""
