#!/usr/bin/env python3
"""Start-to-ready time of `custos serve`: from exec to the first 200 from /readyz.

Usage: start_to_ready.py RUNS PORT -- COMMAND...   (environment passed through)

Each run starts COMMAND, polls http://127.0.0.1:PORT/readyz every ~0.5 ms (a refused connection
costs a few microseconds, so polling barely delays the server), stops the server with SIGTERM
once it answers, and waits for it to exit. The clock starts just before the exec and stops when
the 200 arrives, so it includes loading the binary, opening and migrating the database, the
signing key, and binding the socket. Prints one line per run, then
"median_ms=<m> min_ms=<a> max_ms=<b> rss_kb=<VmRSS right after ready, median>".
"""
import http.client
import os
import signal
import statistics
import subprocess
import sys
import time

DEADLINE_S = 15.0


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def ready(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def one_run(port, command, log):
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not ready(port):
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode} before it was ready")
            if time.perf_counter() - started > DEADLINE_S:
                raise SystemExit(f"server not ready after {DEADLINE_S} s")
            time.sleep(0.0005)
        elapsed_ms = (time.perf_counter() - started) * 1000
        rss = rss_kb(proc.pid)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return elapsed_ms, rss


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        raise SystemExit(__doc__)
    runs, port, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[4:]
    times, rss = [], []
    with open(os.devnull, "wb") as log:
        for i in range(runs):
            ms, kb = one_run(port, command, log)
            times.append(ms)
            rss.append(kb)
            print(f"  run {i + 1}: {ms:.1f} ms to ready, VmRSS {kb / 1024:.1f} MiB", flush=True)
            time.sleep(0.2)  # let the port and the WAL settle between runs
    print(f"median_ms={statistics.median(times):.1f} min_ms={min(times):.1f} "
          f"max_ms={max(times):.1f} rss_kb={int(statistics.median(rss))}")


if __name__ == "__main__":
    main()
