#!/usr/bin/env python3
"""CPU time of PostgreSQL's processes, by the client each backend serves (python3 stdlib only).

  snapshot POSTMASTER_PID PG_PORT FILE [NAME=PID ...]
      every child of the postmaster: utime+stime (clock ticks), nice, and the client it serves:
      NAME when the backend's TCP peer is a socket of process PID (e.g. server=123 worker=456),
      "other" for other clients, "aux" for processes without a client socket (checkpointer,
      walwriter, autovacuum, ...)
  diff BEFORE AFTER
      JSON: CPU seconds per client name between two snapshots, with the backends' nice values;
      backends that exited in between count from their start (their CPU before BEFORE is unknown)

Used by bench/worker to see how much CPU the worker's SQL costs PostgreSQL: its backends run at
the postmaster's priority, whatever the worker's own nice value.
"""
import json, os, sys


def ticks_and_nice(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    x = s[s.rindex(")") + 2:].split()
    return int(x[11]) + int(x[12]), int(x[16]), int(x[1])  # utime+stime, nice, ppid


def socket_inodes(pid):
    out = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                t = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if t.startswith("socket:["):
                out.add(t[8:-1])
    except OSError:
        pass
    return out


def tcp_table():
    """inode -> (local port, remote port) for IPv4 and IPv6 TCP sockets"""
    tab = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    p = line.split()
                    tab[p[9]] = (int(p[1].rsplit(":", 1)[1], 16), int(p[2].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return tab


def snapshot(postmaster, port, out, clients):
    tab = tcp_table()
    client_ports = {}  # local port of a client's socket -> client name
    for name, pid in clients.items():
        for ino in socket_inodes(pid):
            lp_rp = tab.get(ino)
            if lp_rp and lp_rp[1] == port:
                client_ports[lp_rp[0]] = name
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            t, nice, ppid = ticks_and_nice(d)
        except (OSError, ValueError):
            continue
        if ppid != postmaster:
            continue
        who = "aux"
        for ino in socket_inodes(d):
            lp_rp = tab.get(ino)
            if lp_rp and lp_rp[0] == port and lp_rp[1] != 0:
                who = client_ports.get(lp_rp[1], "other")
                break
        procs[d] = {"ticks": t, "nice": nice, "client": who}
    with open(out, "w") as f:
        json.dump({"procs": procs, "postmaster": ticks_and_nice(postmaster)[0]}, f)


def diff(before, after):
    a, b = json.load(open(before)), json.load(open(after))
    hz = os.sysconf("SC_CLK_TCK")
    res = {}
    for pid, p in b["procs"].items():
        prev = a["procs"].get(pid, {}).get("ticks", 0)
        who = p["client"] if p["client"] != "aux" else a["procs"].get(pid, {}).get("client", "aux")
        g = res.setdefault(who, {"cpu_s": 0.0, "backends": 0, "nice": set()})
        g["cpu_s"] += (p["ticks"] - prev) / hz
        g["backends"] += 1
        g["nice"].add(p["nice"])
    for g in res.values():
        g["cpu_s"] = round(g["cpu_s"], 2)
        g["nice"] = sorted(g["nice"])
    res["total_cpu_s"] = round(sum(g["cpu_s"] for k, g in res.items() if isinstance(g, dict)), 2)
    print(json.dumps(res))


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "snapshot":
        clients = dict((kv.split("=", 1)[0], kv.split("=", 1)[1]) for kv in sys.argv[5:])
        snapshot(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], clients)
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
