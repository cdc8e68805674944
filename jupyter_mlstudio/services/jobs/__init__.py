"""Jobs of every kind: training, processing and batch transform.

:mod:`.layout` is the job folder every kind shares (logs, ``/opt/ml`` folders, the
supervisor file); :mod:`.service` (:class:`JobService`) runs training and processing jobs,
:mod:`.transform` batch transform jobs.
"""
