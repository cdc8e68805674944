"""``CronExpressionGenerator`` with the names of ``sagemaker.model_monitor`` (SDK v2): the
schedule expressions a monitoring schedule accepts (the studio refuses any other form)."""

from __future__ import annotations

#: the expression of a one-time schedule (``data_analysis_start_time``/``_end_time`` say
#: which window it reads)
NOW = "NOW"


class CronExpressionGenerator:
    """Makes the ``ScheduleExpression`` strings of monitoring schedules (times are UTC)."""

    @staticmethod
    def hourly() -> str:
        """At the start of every hour.

        Returns:
            ``cron(0 * ? * * *)``.
        """
        return "cron(0 * ? * * *)"

    @staticmethod
    def daily(hour: int = 0) -> str:
        """Once a day.

        Args:
            hour: The hour of the day (0-23, UTC).

        Returns:
            ``cron(0 <hour> ? * * *)``.
        """
        return f"cron(0 {hour} ? * * *)"

    @staticmethod
    def daily_every_x_hours(hour_interval: int, starting_hour: int = 0) -> str:
        """Every ``hour_interval`` hours from ``starting_hour``, each day.

        Args:
            hour_interval: Hours between two runs.
            starting_hour: The first run's hour of the day (0-23, UTC).

        Returns:
            ``cron(0 <starting_hour>/<hour_interval> ? * * *)``.
        """
        return f"cron(0 {starting_hour}/{hour_interval} ? * * *)"

    @staticmethod
    def now() -> str:
        """A one-time run, as soon as the schedule is created.

        Returns:
            ``NOW``.
        """
        return NOW
