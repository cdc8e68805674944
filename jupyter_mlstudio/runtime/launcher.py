"""Script-mode launcher: what ``train`` means for the studio's own image and the process runtime.

Runs the entry point named by ``SAGEMAKER_PROGRAM`` from ``SAGEMAKER_SUBMIT_DIRECTORY``
(default: the ``code`` folder next to ``SM_INPUT_DIR``, i.e. ``/opt/ml/code``), with the
hyperparameters as ``--name value`` arguments (``SM_USER_ARGS``, a JSON list) followed by
any arguments given to the launcher itself.

A ``.py`` entry point runs *in this interpreter*, as ``python script.py`` would run it:
``__name__ == "__main__"`` in a fresh ``__main__`` module (so pickling and multiprocessing's
spawn find it), ``sys.argv`` = ``[script, *args]``, the script's folder first on
``sys.path`` and the code folder after it (also in ``PYTHONPATH`` for child interpreters).
Exit codes are the script's: ``sys.exit(n)``/``SystemExit`` as Python handles them, an
uncaught exception prints its traceback (through ``sys.excepthook``, without the
launcher's frame) and exits 1, and signals keep their default actions (SIGTERM ends the
job with 143 unless the script handles it; an uncaught KeyboardInterrupt exits by SIGINT).
Anything else (a shell script, a binary) replaces the launcher (``exec``).

``python launcher.py --mlstudio-warm-spare <channel fd> <ready fd>`` is the process
runtime's *warm spare* (:func:`spare`, driven by :mod:`.warm`): an interpreter started in
advance that waits for one job and then runs its script as ``python script.py`` would.

Starting one interpreter instead of two is the point: the launcher imports nothing that
Python has not already loaded at start-up (no ``json``, ``runpy`` or ``re``), so a job's
script starts about as fast as ``python script.py``.

Standard library only: the image build copies this file into the image as
``/usr/local/bin/train``.
"""

import os
import sys


def _code_dir() -> str:
    submit = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if submit and "://" not in submit:
        return submit
    input_dir = os.environ.get("SM_INPUT_DIR", "/opt/ml/input")
    return os.path.join(os.path.dirname(input_dir.rstrip("/")), "code")


def parse_string_list(text: str) -> list[str]:
    """A JSON array of strings (``SM_USER_ARGS``). Without backslashes the strings need no
    decoding and are read here; anything else goes to :mod:`json` (imported only then).
    ValueError when ``text`` is not such an array."""
    body = text.strip()
    if "\\" not in body and body.startswith("[") and body.endswith("]"):
        items: list[str] = []
        rest = body[1:-1].strip()
        while rest:
            if not rest.startswith('"'):
                break
            end = rest.find('"', 1)
            if end < 0:
                break
            items.append(rest[1:end])
            rest = rest[end + 1 :].lstrip()
            if rest.startswith(","):
                rest = rest[1:].lstrip()
                if not rest:
                    break  # a trailing comma is not JSON
            elif rest:
                break
        else:
            return items
    import json

    try:
        value = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"not a JSON list: {exc}") from None
    if not isinstance(value, list):
        raise ValueError("not a JSON list")
    return [v if isinstance(v, str) else json.dumps(v) for v in value]


def run_script(path: str, argv: list[str]) -> int:
    """Run the Python file ``path`` as ``__main__`` with ``sys.argv = [path, *argv]``;
    return 0 when it ends normally, 1 after an uncaught exception (printed). SystemExit
    and KeyboardInterrupt propagate, so Python ends the process as it would for the
    script itself."""
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec", dont_inherit=True)
    main = type(sys)("__main__")  # what Python gives a script's __main__, in its order
    bootstrap = sys.modules.get("_frozen_importlib_external")
    if bootstrap is not None:
        main.__loader__ = bootstrap.SourceFileLoader("__main__", path)
    main.__annotations__ = {}
    main.__builtins__ = sys.modules["builtins"]  # type: ignore[attr-defined]
    main.__file__ = path
    main.__cached__ = None  # type: ignore[attr-defined]
    launcher = sys.modules.get("__main__")  # kept alive while the script runs
    sys.modules["__main__"] = main
    sys.argv[:] = [path, *argv]
    try:
        exec(code, main.__dict__)
    except Exception as exc:  # as Python reports an uncaught exception: exit code 1
        if exc.__traceback__ is not None:  # the launcher's own frame is not the script's
            exc.__traceback__ = exc.__traceback__.tb_next
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return 1
    finally:
        del launcher
    return 0


def direct_command(
    env: "dict[str, str] | os._Environ[str]", extra: "list[str]", python: str
) -> "tuple[list[str], str, str] | None":
    """``(argv, cwd, PYTHONPATH)`` that run a ``.py`` entry point as ``python script.py``
    would, for a runtime that can start the script itself (the process runtime: one
    interpreter start, no launcher); None when the launcher must run instead (no or a
    missing entry point, bad arguments — it reports those — or a non-Python program)."""
    program = env.get("SAGEMAKER_PROGRAM") or env.get("SM_USER_ENTRY_POINT")
    if not program or not program.endswith(".py"):
        return None
    submit = env.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if submit and "://" not in submit:
        code_dir = submit
    else:
        input_dir = env.get("SM_INPUT_DIR", "/opt/ml/input")
        code_dir = os.path.join(os.path.dirname(input_dir.rstrip("/")), "code")
    path = program if os.path.isabs(program) else os.path.join(code_dir, program)
    if not os.path.isfile(path) or not os.path.isdir(code_dir):
        return None
    try:
        user_args = parse_string_list(env.get("SM_USER_ARGS") or "[]")
    except ValueError:
        return None
    pythonpath = os.pathsep.join(p for p in (code_dir, env.get("PYTHONPATH", "")) if p)
    return [python, os.path.abspath(path), *user_args, *extra], code_dir, pythonpath


def main(argv: list[str] | None = None) -> int:
    extra = list(sys.argv[1:] if argv is None else argv)
    program = os.environ.get("SAGEMAKER_PROGRAM") or os.environ.get("SM_USER_ENTRY_POINT")
    if not program:
        print(
            "train: no entry point: set SAGEMAKER_PROGRAM (a script in the code folder)",
            file=sys.stderr,
        )
        return 2
    code_dir = _code_dir()
    path = program if os.path.isabs(program) else os.path.join(code_dir, program)
    if not os.path.exists(path):
        print(f"train: entry point {path} does not exist", file=sys.stderr)
        return 2
    try:
        user_args = parse_string_list(os.environ.get("SM_USER_ARGS") or "[]")
    except ValueError:
        print("train: SM_USER_ARGS is not a JSON list", file=sys.stderr)
        return 2
    if os.path.isdir(code_dir):
        os.chdir(code_dir)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (code_dir, os.environ.get("PYTHONPATH", "")) if p
        )
    if not path.endswith(".py"):
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(path, [path, *user_args, *extra])
    path = os.path.abspath(path)
    # sys.path as `python <script>` has it: the script's folder first (never the launcher's)
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        del sys.path[0]
    front = [os.path.dirname(path)]
    if os.path.isdir(code_dir) and os.path.abspath(code_dir) != front[0]:
        front.append(os.path.abspath(code_dir))
    sys.path[0:0] = front
    return run_script(path, [*user_args, *extra])


#: ``python launcher.py SPARE_FLAG <channel fd> <ready fd>`` starts a warm spare
SPARE_FLAG = "--mlstudio-warm-spare"


def startup_path(script: str, pythonpath: str, base: "list[str]") -> "list[str]":
    """``sys.path`` as ``python <script>`` started with ``PYTHONPATH=pythonpath`` in the
    current folder has it, given ``base``: the interpreter's own entries (what ``sys.path``
    holds without ``PYTHONPATH`` and without the script's folder). As CPython builds it:
    the ``PYTHONPATH`` entries (made absolute against the current folder; an empty entry
    is the current folder) before ``base``, duplicates dropped as :mod:`site` drops them
    (the first one stays), then the script's folder (symbolic links resolved) in front,
    unless ``sys.flags.safe_path``."""
    entries = [os.path.abspath(p) for p in pythonpath.split(os.pathsep)] if pythonpath else []
    seen: set[str] = set()
    rest = []
    for entry in [*entries, *base]:
        if entry not in seen:
            seen.add(entry)
            rest.append(entry)
    if getattr(sys.flags, "safe_path", False):
        return rest
    return [os.path.dirname(os.path.realpath(script)), *rest]


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def spare(channel: int, ready: int) -> int:
    """A warm spare of the process runtime (see :mod:`.warm`): started in advance, with
    stdin, stdout and stderr on ``/dev/null`` and without ``PYTHONPATH``, it writes one
    byte to ``ready``, then waits for one launch message on ``channel``, read to its end:
    NUL-separated (:func:`os.fsencode`) fields ``log file, folder, N, argv[0..N-1],
    NAME=value...``, where ``argv`` is ``[python, script, *args]`` as
    :func:`direct_command` gives it. Then, in this order: the log file (opened to append)
    becomes fd 1 and 2, ``os.environ`` is replaced by the job's environment, the folder
    becomes the current one, ``sys.path`` is :func:`startup_path`'s, ``sys.orig_argv`` is
    ``argv``, the host names of ``MLSTUDIO_HOST_ADDRESSES`` resolve (as the job's
    ``sitecustomize`` would have made them, see :mod:`.process`), and the script runs as
    :func:`run_script` runs it. Resource limits are set from outside (the runner, before
    it writes the message). Nothing else is imported here: the job sees the modules
    ``python script.py`` would have loaded. A channel closed
    without a message (the runner let go) exits 0."""
    safe_path = getattr(sys.flags, "safe_path", False)
    base = sys.path[:] if safe_path else sys.path[1:]  # without the launcher's folder
    compile("", "<warm-up>", "exec", dont_inherit=True)  # the AST types (~1.5 ms), ahead
    os.write(ready, b"1")
    os.close(ready)
    message = _read_all(channel)
    os.close(channel)
    if not message:
        return 0
    fields = [os.fsdecode(f) for f in message.split(b"\0")]
    count = int(fields[2])
    argv = fields[3 : 3 + count]
    try:
        log = os.open(fields[0], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
    except OSError as exc:
        print(f"train: cannot open the log: {exc}", file=sys.stderr)
        return 2
    os.environ.clear()
    for item in fields[3 + count :]:
        name, _, value = item.partition("=")
        if name:
            os.environ[name] = value
    try:
        os.chdir(fields[1])
    except OSError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    sys.path[:] = startup_path(argv[1], os.environ.get("PYTHONPATH", ""), base)
    for finder in list(sys.path_importer_cache.values()):  # folders listed at start-up:
        if finder is not None and hasattr(finder, "invalidate_caches"):  # list them again
            finder.invalidate_caches()
    sys.orig_argv[:] = argv
    if os.environ.get("MLSTUDIO_HOST_ADDRESSES"):  # what the job's sitecustomize would do
        try:
            import mlstudio_hostnames
        except ImportError:
            pass
        else:
            mlstudio_hostnames.install_from_environment()
    return run_script(argv[1], argv[2:])


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == SPARE_FLAG:
        sys.exit(spare(int(sys.argv[2]), int(sys.argv[3])))
    sys.exit(main())
