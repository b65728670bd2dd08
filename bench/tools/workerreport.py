#!/usr/bin/env python3
"""Markdown tables from bench/worker's JSONL (python3 stdlib only).

  workerreport.py RESULTS.jsonl    one table per run id in the file (bench/worker appends a run's
                                   records to the day's file), printed to stdout
"""
import json, re, statistics, sys


def ticks(threads, name):
    """CPU seconds of a thread group in tools/threadcpu.py's diff output (100 ticks a second here)"""
    if not isinstance(threads, dict) or "unparsed" not in threads:
        return None
    m = re.search(r"^\s*(-?\d+) ticks\s+" + re.escape(name), threads["unparsed"], re.M)
    return round(int(m.group(1)) / 100, 2) if m else 0.0


def f(x, nd=2):
    return "" if x is None else ("%.*f" % (nd, x) if isinstance(x, float) else str(x))


def table(meta, runs):
    out = ["## Run %s (K=%s, %s GET processes, warm-up %s s, idle windows 2 × %s s)" % (
        meta.get("runid"), meta.get("K"), meta.get("load_c"), meta.get("warmup_s"), meta.get("idle_s")), "",
        "Command: `%s`  " % meta.get("cmdline"), "Environment: `%s`  " % meta.get("env"),
        "Berth %s, %s; %s; %s; JVM options `%s`; load average at start %s" % (
            meta.get("berth_version"), meta.get("berth_commit"), meta.get("postgres"), meta.get("java"),
            meta.get("berth_java_opts"), meta.get("loadavg_start")), "",
        "| variant | rep | idle p99 ms | during p99 ms | ratio | idle slices' ratios (noise floor) | GETs during | GC s (server's run) | blobs removed (expected) | manifests (by DELETE before) | links | server CPU s (C2) | server CPU s/s idle / run | worker CPU s | PostgreSQL CPU s: server's / worker's backends | machine busy % | load avg | check |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    ratios = {}
    for r in runs:
        li, lg = r.get("lat_idle") or {}, r.get("lat_gc") or {}
        ratio = lg["p99_ms"] / li["p99_ms"] if li.get("p99_ms") and lg.get("p99_ms") else None
        ratios.setdefault(r["variant"], []).append(ratio)
        rep = (r.get("run") or {}).get("report") or {}
        disk = r.get("disk") or {}
        pg = r.get("pg_cpu_run") or {}
        idle_s = r.get("idle_window_s") or 0
        srv_idle = r.get("server_cpu_idle_s") / idle_s if idle_s and isinstance(r.get("server_cpu_idle_s"), (int, float)) else None
        srv_run = r["server_cpu_run_s"] / r["cpu_window_s"] if r.get("cpu_window_s") else None
        sl = (r.get("idle_slices") or {}).get("ratios_sorted")
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s (%s) | %s | %s (%s) | %s / %s | %s | %s / %s | %s | %s | %s |" % (
            r["variant"], r.get("rep", 1), f(li.get("p99_ms")), f(lg.get("p99_ms")), f(ratio), "" if sl is None else ", ".join(f(x) for x in sl), lg.get("count"),
            f(r.get("run_s"), 3), rep.get("blobs"), disk.get("expected_removed_files"), rep.get("manifests"),
            r.get("manifests_deleted_by_api"), rep.get("links"), f(r.get("server_cpu_run_s")),
            f(ticks(r.get("server_threads_run"), "C2 CompilerThre")), f(srv_idle), f(srv_run),
            f(r.get("worker_cpu_run_s")) if r["variant"] != "in-server" else "-",
            f((pg.get("server") or {}).get("cpu_s")), f((pg.get("worker") or {}).get("cpu_s")) if r["variant"] != "in-server" else "-",
            f(r.get("machine_busy_pct_run"), 1), r.get("loadavg"), ("ok" if r.get("ok") == 1 else "FAIL: " + str(r.get("problems")))
            + ("" if r.get("cpu_window_covers_run", 1) == 1 else "; CPU window began after the run's start: CPU columns partial")))
    out.append("")
    out.append("CPU columns: from the end of the idle window before the run to when the script saw the run"
               " finished (`cpu_window_s` in the JSONL); server CPU s/s = cores' worth of CPU the server used"
               " in the idle window / in that window. Idle slices: the idle windows cut into slices as long"
               " as the run, each slice's p99 over the idle p99 (what a ratio looks like when no"
               " collection runs).")
    out.append("")
    for v, xs in ratios.items():
        xs = [x for x in xs if x is not None]
        if xs:
            out.append("- %s: p99 ratio %s over %d run(s) (median %s)" % (
                v, ", ".join(f(x) for x in xs), len(xs), f(statistics.median(xs))))
    return "\n".join(out)


def main():
    metas, runs = [], {}
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r["type"] == "meta":
            metas.append(r)
        elif r["type"] == "run":
            runs.setdefault(metas[-1]["runid"] if metas else None, []).append(r)
    print("\n\n".join(table(m, runs.get(m["runid"], [])) for m in metas))


if __name__ == "__main__":
    main()
