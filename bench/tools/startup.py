#!/usr/bin/env python3
"""Time from process start to the first 200 on a URL (python3 stdlib only), for bench/run.

  startup.py --url http://127.0.0.1:PORT/v2/ [--timeout-s 60] [--log FILE] -- COMMAND ARGS...

Starts COMMAND (its own session, output to --log), polls the URL with a fresh connection every
5 ms until it answers 200, prints the milliseconds from just before the fork to that answer and
the process's VmRSS at that moment, then stops it (SIGTERM, SIGKILL after 30 s) and waits.
Exit status 1 (and a message) when the process exits or the timeout passes first.
"""
import argparse, http.client, json, os, signal, subprocess, sys, time, urllib.parse


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--timeout-s", type=float, default=60)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")
    u = urllib.parse.urlsplit(a.url)
    log = open(a.log, "ab")
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    ms = None
    try:
        while time.perf_counter() - t0 < a.timeout_s:
            if p.poll() is not None:
                print("startup.py: %s exited with %s before answering" % (cmd[0], p.returncode), file=sys.stderr)
                return 1
            try:
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
                c.request("GET", u.path or "/")
                st = c.getresponse().status
                c.close()
                if st == 200:
                    ms = (time.perf_counter() - t0) * 1e3
                    break
            except OSError:
                pass
            time.sleep(0.005)
        if ms is None:
            print("startup.py: no 200 from %s within %.0f s" % (a.url, a.timeout_s), file=sys.stderr)
            return 1
        print(json.dumps({"ms": round(ms, 1), "rss_kb": rss_kb(p.pid)}))
        return 0
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill(); p.wait()


if __name__ == "__main__":
    sys.exit(main())
