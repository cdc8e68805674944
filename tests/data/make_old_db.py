"""Make ``mlstudio-0001.db``: a SQLite store at schema revision 0001 with a little data.

Run from the repository root: ``.venv/bin/python tests/data/make_old_db.py``. The upgrade
test opens a copy with the current store (which migrates it to head) and reads it back.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from jupyter_mlstudio.store.sql.migrate import upgrade

TARGET = Path(__file__).resolve().parent / "mlstudio-0001.db"

ROWS = """
INSERT INTO experiments (id, name, display_name, description, creation_time, last_modified_time)
VALUES (1, 'old-exp', 'Old experiment', 'made at revision 0001',
        '2024-01-02 03:04:05.000000', '2024-01-02 03:04:05.000000'),
       (2, 'old-exp-2', NULL, NULL, '2024-01-03 00:00:00.000000', '2024-01-03 00:00:00.000000');
INSERT INTO experiment_tags (experiment_id, key, value) VALUES (1, 'team', 'vision');
INSERT INTO trials (id, name, experiment_id, display_name, creation_time, last_modified_time)
VALUES (1, 'old-trial', 1, NULL, '2024-01-02 03:05:00.000000', '2024-01-02 03:05:00.000000');
INSERT INTO trial_components (id, name, display_name, status, status_message, start_time,
    end_time, source_arn, source_type, creation_time, last_modified_time)
VALUES (1, 'old-run', 'Old run', 'Completed', NULL, '2024-01-02 03:06:00.000000',
        '2024-01-02 03:16:00.000000', NULL, NULL,
        '2024-01-02 03:06:00.000000', '2024-01-02 03:16:00.000000');
INSERT INTO trial_component_trials (trial_id, trial_component_id, creation_time)
VALUES (1, 1, '2024-01-02 03:06:00.000000');
INSERT INTO trial_component_parameters (trial_component_id, name, number_value, string_value)
VALUES (1, 'lr', 0.01, NULL), (1, 'optimizer', NULL, 'adam');
INSERT INTO trial_component_artifacts (trial_component_id, direction, name, value, media_type)
VALUES (1, 'output', 'model', 'file:///models/old.tar.gz', 'application/x-tar');
INSERT INTO metric_points (trial_component_id, metric_name, value, step, timestamp)
VALUES (1, 'loss', 3.0, 0, '2024-01-02 03:07:00.000000'),
       (1, 'loss', 2.0, 1, '2024-01-02 03:08:00.000000'),
       (1, 'loss', 1.0, 2, '2024-01-02 03:09:00.000000');
INSERT INTO metric_summaries (trial_component_id, metric_name, count, mean, m2, min, max, last,
    time_stamp)
VALUES (1, 'loss', 3, 2.0, 2.0, 1.0, 3.0, 1.0, '2024-01-02 03:09:00.000000');
"""


def main() -> None:
    TARGET.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{TARGET}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        for statement in ROWS.split(";"):
            if statement.strip():
                connection.execute(text(statement))
    with engine.connect() as connection:  # leave a single self-contained file
        connection.exec_driver_sql("PRAGMA journal_mode = DELETE")
    engine.dispose()
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
