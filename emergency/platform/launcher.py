"""Run the web server and a job worker as one command (``make run``, ``make serve``), and stop both together.

Ctrl-C in a terminal reaches every process of the foreground group; the launcher then asks the survivors to
stop (SIGTERM), waits ``GRACE_SECONDS`` and kills what is left, so no worker outlives the server. When either
process ends by itself the other is stopped too, and the launcher exits with the first one's code.
"""
import signal
import subprocess
import sys
import time

GRACE_SECONDS = 15
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def worker_command(workers=1):
    return [sys.executable, "-m", "flask", "--app", "app", "jobs-worker", "--workers", str(workers)]


def run_together(server, worker, cwd, say=lambda text: print(text, flush=True)):
    """Start ``server`` and ``worker`` (argument lists) in ``cwd``; return the exit code to leave with."""
    asked = []
    previous = {sig: signal.signal(sig, lambda signum, frame: asked.append(signum)) for sig in STOP_SIGNALS}
    processes = []
    try:
        processes = [subprocess.Popen(server, cwd=cwd), subprocess.Popen(worker, cwd=cwd)]
        say(f"已启动网页服务（进程 {processes[0].pid}）和后台任务进程（进程 {processes[1].pid}）；"
            "按 Ctrl-C 同时停止。")
        while not asked and all(p.poll() is None for p in processes):
            time.sleep(0.2)
        ended = next((p for p in processes if p.returncode is not None), None)
        return 0 if ended is None else ended.returncode
    finally:
        _stop(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
