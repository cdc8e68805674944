"""ProfilerReport's HTML: one self-contained page (inline CSS and SVG, no script, nothing
fetched), every text escaped. Standard library only: rule jobs write it.

The page: the job and when the report was made; a summary of each rule ProfilerReport
ran (its status, why, its parameters, what it checks); per host, the p50/p95/max of the
system figures and charts of CPU and memory over time.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: below the rule job's output folder, as SageMaker's ProfilerReport lays it out
REPORT_DIR = "profiler-output"
REPORT_NAME = "profiler-report.html"

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:left;vertical-align:top;font-size:13px}th{background:#f3f3f3}
.IssuesFound{color:#b00020;font-weight:bold}.NoIssuesFound{color:#1b5e20}
.InProgress{color:#8a6d00}.muted{color:#666;font-size:12px}svg{background:#fafafa;
border:1px solid #ddd}code{font-size:12px}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _when(t: float | None) -> str:
    if t is None:
        return "unknown"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def _status_label(status: str) -> str:
    return {
        "IssuesFound": "Issues found",
        "NoIssuesFound": "No issues found",
        "InProgress": "In progress",
    }.get(status, status)


def chart(
    points: Sequence[tuple[float, float | None]],
    title: str,
    unit: str = "%",
    floor_max: float = 100.0,
    width: int = 720,
    height: int = 160,
) -> str:
    """An inline SVG line chart of ``(t, value)`` points (None values are gaps)."""
    known = [(t, v) for t, v in points if v is not None]
    if len(known) < 2:
        return f'<p class="muted">{_e(title)}: not enough samples for a chart.</p>'
    t0, t1 = known[0][0], known[-1][0]
    top = max(floor_max, max(v for _, v in known)) or 1.0
    span = max(t1 - t0, 1e-9)
    pad = 30
    segments: list[list[str]] = [[]]
    for t, v in points:
        if v is None:
            segments.append([])
            continue
        x = pad + (t - t0) / span * (width - 2 * pad)
        y = height - pad + (0 - v) / top * (height - 2 * pad)
        segments[-1].append(f"{x:.1f},{y:.1f}")
    lines = "".join(
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="{" ".join(s)}"/>'
        for s in segments
        if len(s) > 1
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' role="img" aria-label="{_e(title)}">'
        f'<text x="{pad}" y="16" font-size="12">{_e(title)}</text>'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"'
        ' stroke="#999"/>'
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#999"/>'
        f'<text x="2" y="{pad + 4}" font-size="10">{_e(f"{top:.0f}{unit}")}</text>'
        f'<text x="2" y="{height - pad}" font-size="10">{_e(f"0{unit}")}</text>'
        f'<text x="{pad}" y="{height - 8}" font-size="10">{_e(_when(t0))}</text>'
        f'<text x="{width - pad}" y="{height - 8}" font-size="10" text-anchor="end">'
        f"{_e(_when(t1))} ({_e(f'{span / 60:.1f}')} min)</text>"
        f"{lines}</svg>"
    )


def _figures_table(figures: Mapping[str, Mapping[str, float] | None]) -> str:
    rows = "".join(
        f"<tr><td>{_e(name)}</td><td>{_e(v['p50'])}</td><td>{_e(v['p95'])}</td>"
        f"<td>{_e(v['max'])}</td></tr>"
        for name, v in figures.items()
        if v
    )
    if not rows:
        return '<p class="muted">No samples yet.</p>'
    return f"<table><tr><th>Figure</th><th>p50</th><th>p95</th><th>max</th></tr>{rows}</table>"


def render(
    job_name: str,
    created_at: float | None,
    rules: Sequence[Mapping[str, Any]],
    hosts: Mapping[str, Mapping[str, Any]],
    final: bool,
    generated_at: float | None = None,
) -> str:
    """The report's page.

    Args:
        job_name: The training job.
        created_at: When it was created (epoch s), if known.
        rules: One entry per rule: ``{"name", "status", "message", "description",
            "parameters": {...}, "datapoints", "warnings": [...]}``.
        hosts: Per host: ``{"figures": {name: {"p50", "p95", "max"} | None},
            "cpu": [(t, %)], "memory": [(t, %)], "samples": int}``.
        final: The training job has ended (else the report is an interim one).
        generated_at: When the report is made (epoch s; now by default).

    Returns:
        The HTML text.
    """
    generated_at = time.time() if generated_at is None else generated_at
    fired = [r for r in rules if r.get("status") == "IssuesFound"]
    state = "final" if final else "interim: the training job is still running"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Profiler report: {_e(job_name)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Profiler report: {_e(job_name)}</h1>",
        f"<p class='muted'>Generated {_e(_when(generated_at))} ({_e(state)}). Job created"
        f" {_e(_when(created_at))}. Hosts: {_e(', '.join(hosts) or 'none')}.</p>",
        f"<p><b>{len(fired)} of {len(rules)} rules found issues.</b></p>",
        "<h2>Rules</h2><table><tr><th>Rule</th><th>Status</th><th>Why</th>"
        "<th>Parameters</th><th>Samples</th></tr>",
    ]
    for rule in rules:
        status = str(rule.get("status") or "InProgress")
        why = rule.get("message") or "; ".join(rule.get("warnings") or ()) or ""
        params = "<br>".join(
            f"<code>{_e(k)}={_e(v)}</code>" for k, v in (rule.get("parameters") or {}).items()
        )
        parts.append(
            f"<tr><td><b>{_e(rule.get('name'))}</b><br><span class='muted'>"
            f"{_e(rule.get('description') or '')}</span></td>"
            f"<td class='{_e(status)}'>{_e(_status_label(status))}</td><td>{_e(why)}</td>"
            f"<td>{params}</td><td>{_e(rule.get('datapoints', ''))}</td></tr>"
        )
    parts.append("</table>")
    for host, data in hosts.items():
        parts.append(f"<h2>Host {_e(host)}</h2>")
        parts.append(f"<p class='muted'>{_e(data.get('samples', 0))} samples.</p>")
        parts.append(_figures_table(data.get("figures") or {}))
        parts.append(chart(data.get("cpu") or [], f"{host}: CPU % (100 = one core)"))
        parts.append(chart(data.get("memory") or [], f"{host}: memory % of its limit"))
    parts.append("</body></html>")
    return "\n".join(parts)


def write(folder: Path, text: str) -> Path:
    """Write the report below ``folder`` (a rule job's output) in one step; its path."""
    path = Path(folder) / REPORT_DIR / REPORT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{REPORT_NAME}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path
