#!/usr/bin/env python3
"""CPU time of a process's threads over an interval, grouped by thread name (python3 stdlib only).

  snapshot PID FILE    every thread's utime + stime (clock ticks) and name, the process's own total
                       (which keeps the CPU of threads that have exited), and the machine's /proc/stat
  diff BEFORE AFTER    ticks per thread-name group between two snapshots, largest first; threads
                       gone by AFTER are summed as "(exited threads)"

Used to see where a server's CPU goes while it collects under load (docs/design.md, "p99 during
GC"): snapshot, start the run through the admin API, wait for it to end, snapshot, diff.
"""
import collections, json, os, re, sys


def fields(stat):
    return stat[stat.rindex(")") + 2:].split()


def snapshot(pid, out):
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # exited while we listed
        f = fields(stat)
        threads[tid] = [stat[stat.index("(") + 1:stat.rindex(")")], int(f[11]) + int(f[12])]
    with open(f"/proc/{pid}/stat") as f:
        p = fields(f.read())
    with open("/proc/stat") as f:
        machine = [int(x) for x in f.readline().split()[1:]]
    with open(out, "w") as f:
        json.dump({"threads": threads, "process": int(p[11]) + int(p[12]), "machine": machine}, f)


def group(name):
    name = re.sub(r"berth-gc-[0-9a-f]{6}$", "berth-gc-<run>", name)  # the run's thread, named by its id
    return re.sub(r"[-#]?\d+$", "", name)


def diff(before_file, after_file):
    a, b = (json.load(open(x)) for x in (before_file, after_file))
    groups = collections.Counter()
    for tid, (name, ticks) in b["threads"].items():
        groups[group(name)] += ticks - a["threads"].get(tid, [name, 0])[1]
    groups["(exited threads)"] = (b["process"] - a["process"]) - sum(groups.values())
    print(f"{b['process'] - a['process']:7d} ticks  process")
    for name, ticks in groups.most_common():
        if ticks:
            print(f"{ticks:7d} ticks  {name}")
    m = [y - x for x, y in zip(a["machine"], b["machine"])]
    print("machine: user %d nice %d system %d idle %d iowait %d irq %d softirq %d steal %d" % tuple(m[:8]))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "snapshot":
        snapshot(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
