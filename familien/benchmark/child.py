"""Run one part of the benchmark in a fresh process, so its peak memory is its own.

A forked child would start with the parent's pages (whatever the benchmark measured
before); a spawned one starts as a worker does: a new interpreter that sets Django up,
connects to the same database (the test database too: its name is passed on) and runs
one function. The function's result comes back through a pipe with the child's peak
resident set (``ru_maxrss``) and the resident set it had before the work began.
"""

import multiprocessing
import os
import resource
import traceback

from django.db import connections


class ChildFailed(RuntimeError):
    pass


def peak_mb():
    """This process's peak resident set so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _main(settings_module, database_name, overrides, target, kwargs, pipe):
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    connections["default"].settings_dict["NAME"] = database_name
    from django.test.utils import override_settings
    from django.utils.module_loading import import_string

    try:
        started_mb = peak_mb()
        with override_settings(**overrides):
            result = import_string(target)(**kwargs)
        pipe.send({"ok": True, "result": result, "start_mb": started_mb, "peak_mb": peak_mb()})
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        pipe.send({"ok": False, "error": traceback.format_exc()})
    finally:
        connections.close_all()
        pipe.close()


def run_in_child(target, *, overrides=None, **kwargs):
    """Run the function at dotted path ``target`` with ``kwargs`` (picklable) in a spawned
    process, under the settings ``overrides``; returns (its result, {"start_mb",
    "peak_mb"})."""
    # The child opens its own connection; a transaction of ours it cannot see.
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_main,
        args=(
            os.environ["DJANGO_SETTINGS_MODULE"],
            connections["default"].settings_dict["NAME"],
            overrides or {},
            target,
            kwargs,
            send,
        ),
    )
    process.start()
    send.close()
    try:
        message = receive.recv()
    except EOFError:
        message = {"ok": False, "error": "the child ended without an answer"}
    process.join()
    if not message["ok"]:
        raise ChildFailed(message["error"])
    memory = {"start_mb": round(message["start_mb"], 1), "peak_mb": round(message["peak_mb"], 1)}
    return message["result"], memory
