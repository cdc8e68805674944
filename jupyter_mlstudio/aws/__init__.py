"""A SageMaker-compatible API: what boto3's ``sagemaker`` and ``sts`` clients talk to.

The protocol (AWS JSON 1.1 for SageMaker, the query protocol for STS) is in
:mod:`.protocol`, SigV4 verification in :mod:`.sigv4`, validation against botocore's own
service model in :mod:`.service_model`, and the operations in :mod:`.operations`, one
module per resource, registered in the tables of :mod:`.registry`. The package calls the
studio's services; the services never import it. docs/sagemaker-api.md says what is
covered.
"""
