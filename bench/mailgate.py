#!/usr/bin/env python3
"""Messages per second through `custos mailgate`, one process per message as an MTA runs it.

    python3 bench/mailgate.py [--bin build/release/custos] [--messages 500] [--parallel 1,2]
                              [--db sqlite|postgresql://...]

A fresh data directory is migrated first (not timed), with one user whose address some of the
messages come from. The messages are a realistic mix: a plain-text report from a known user, a
multipart report from an outsider with a 20 KB base64 attachment and an HTML alternative, a
quoted-printable Latin-1 report, and a reply threaded onto an earlier report by its key. Each
message is piped into its own `custos mailgate` process; with --parallel N, N processes run at
once (an MTA delivers concurrently). Prints msgs/s and the latency percentiles per setting.
"""
import argparse
import base64
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor


def messages(n, tag):
    attachment = base64.encodebytes(os.urandom(20 * 1024)).decode()
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append(
                f"From: Rita <rita@example.org>\r\nSubject: Suspicious mail {i}\r\n"
                f"Message-ID: <bench-{tag}-{i}@example.org>\r\n\r\nI got a mail asking for my password.\r\n")
        elif kind == 1:
            out.append(
                f"From: partner@supplier.example\r\nSubject: =?UTF-8?Q?Scan_from_your_network_{i}?=\r\n"
                f"Message-ID: <bench-{tag}-{i}@supplier.example>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\n"
                "Content-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n--inner\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\nPort scans since 02:00, log attached.\r\n"
                "--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Port scans since 02:00</p>\r\n"
                "--inner--\r\n--outer\r\nContent-Type: application/octet-stream; name=\"scan.log\"\r\n"
                "Content-Disposition: attachment; filename=\"scan.log\"\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{attachment}--outer--\r\n")
        elif kind == 2:
            out.append(
                f"From: rita@example.org\r\nSubject: Virus warning {i}\r\nMessage-ID: <bench-{tag}-{i}@example.org>\r\n"
                "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                "Mein Rechner zeigt eine Warnung: Gr=FC=DFe, R.\r\n")
        else:
            out.append(
                f"From: rita@example.org\r\nSubject: Re: [EVT-000001] more\r\nMessage-ID: <bench-{tag}-{i}@example.org>\r\n\r\n"
                "Another detail.\r\n")
    return out


def run(binary, common, message):
    started = time.perf_counter()
    r = subprocess.run([binary, "mailgate", *common], input=message.encode(), capture_output=True)
    elapsed = time.perf_counter() - started
    if r.returncode != 0:
        sys.exit(f"mailgate exited {r.returncode}: {r.stderr.decode()}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/release/custos")
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--parallel", default="1,2")
    ap.add_argument("--db", default="sqlite")
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="custos-mailgate-bench-")
    try:
        common = ["--data-dir", data]
        if a.db != "sqlite":
            common += ["--db", a.db]
        env = dict(os.environ, CUSTOS_ADMIN_PASSWORD="bench-password-123", CUSTOS_AUTH_PASSWORD_HASHING="minimum")
        subprocess.run([a.bin, "migrate", *common], check=True, capture_output=True, env=env)
        subprocess.run([a.bin, "user", "add", "--username", "rita", "--role", "reporter", "--email", "rita@example.org",
                        "--password-stdin", *common], input=b"a long enough password\n", check=True, capture_output=True, env=env)
        run(a.bin, common, messages(1, "warm")[0])  # EVT-000001 exists for the replies
        print(f"custos mailgate, {a.messages} messages, one process each ({a.db})")
        for parallel in [int(p) for p in a.parallel.split(",")]:
            batch = messages(a.messages, f"p{parallel}")
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            with ThreadPoolExecutor(parallel) as pool:
                latencies = list(pool.map(lambda m: run(a.bin, common, m), batch))
            wall = time.perf_counter() - started
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
            q = statistics.quantiles(latencies, n=100)
            # CPU per message does not depend on what else runs on the machine; wall time does.
            print(f"  parallel {parallel}: {len(latencies) / wall:7.1f} msgs/s   "
                  f"p50 {q[49] * 1000:5.1f} ms  p99 {q[98] * 1000:5.1f} ms   "
                  f"CPU {cpu / len(latencies) * 1000:4.1f} ms/msg (user+sys)")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
