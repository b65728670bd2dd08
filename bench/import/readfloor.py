#!/usr/bin/env python3
"""The kernel's share of `berth import` on this machine: reads the files an import must read, and
nothing else, to measure the system time they cost.

For each repository of a Docker Registry root (in the order `berth import` takes them, split over
--jobs processes as its reader threads are): lists `_layers/<alg>/`, reads each layer link and stats
the blob it names (once per distinct blob: the import keeps the sizes it has seen); lists
`_manifests/revisions/<alg>/`, reads each revision link and the manifest's blob; lists the tags and
reads each `current/link`. The files are opened, read to their end and closed, as the import's
channel reads do. No parsing, no database: what remains is the system time that reading a root
file by file costs here, and the rate it bounds the import to on this many cores.

    bench/import/readfloor.py ROOT [--jobs 2] [--repos N]

Prints manifests, wall, user and system CPU, and manifests/s at the system time alone on --jobs
cores. Run it on a root whose files are in the page cache (after an import, as its second reader)
or not (after `echo 3 > /proc/sys/vm/drop_caches`): the note says which.
"""
import argparse
import multiprocessing
import os
import resource
import time

READ = 8192


def read_file(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return 0
    try:
        n = 0
        while True:
            chunk = os.read(fd, READ)
            if not chunk:
                return n
            n += len(chunk)
    finally:
        os.close(fd)


def listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def blob_data(root, digest):
    alg, hexpart = digest.split(":", 1)
    return os.path.join(root, "docker/registry/v2/blobs", alg, hexpart[:2], hexpart, "data")


def repositories(base, name=""):
    children = listdir(os.path.join(base, name))
    if name and any(c.startswith("_") for c in children):
        yield name
    for child in children:
        if not child.startswith("_"):
            sub = os.path.join(name, child) if name else child
            if os.path.isdir(os.path.join(base, sub)):
                yield from repositories(base, sub)


def link_target(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        data = os.read(fd, 1024)
        while os.read(fd, 1024):
            pass
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace").strip()


def work(args):
    root, names = args
    t0 = time.time()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    manifests = 0
    sizes = set()
    base = os.path.join(root, "docker/registry/v2/repositories")
    for name in names:
        repo = os.path.join(base, name)
        for alg in listdir(os.path.join(repo, "_layers")):
            for entry in listdir(os.path.join(repo, "_layers", alg)):
                target = link_target(os.path.join(repo, "_layers", alg, entry, "link"))
                if target and target not in sizes:
                    try:
                        os.stat(blob_data(root, target))
                        sizes.add(target)
                    except OSError:
                        pass
        for alg in listdir(os.path.join(repo, "_manifests/revisions")):
            for entry in listdir(os.path.join(repo, "_manifests/revisions", alg)):
                target = link_target(os.path.join(repo, "_manifests/revisions", alg, entry, "link"))
                if target:
                    read_file(blob_data(root, target))
                    manifests += 1
        for tag in listdir(os.path.join(repo, "_manifests/tags")):
            link_target(os.path.join(repo, "_manifests/tags", tag, "current/link"))
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return manifests, time.time() - t0, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repos", type=int, default=0, help="only the first N repositories")
    args = parser.parse_args()
    names = list(repositories(os.path.join(args.root, "docker/registry/v2/repositories")))
    if args.repos:
        names = names[: args.repos]
    shares = [names[i :: args.jobs] for i in range(args.jobs)]
    start = time.time()
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(work, [(args.root, share) for share in shares])
    wall = time.time() - start
    manifests = sum(r[0] for r in results)
    user = sum(r[2] for r in results)
    system = sum(r[3] for r in results)
    print(f"repositories {len(names)}, manifests {manifests}, jobs {args.jobs}: wall {wall:.1f} s, "
          f"user {user:.1f} s, sys {system:.1f} s ({system / max(manifests, 1) * 1e6:.0f} us a manifest); "
          f"{manifests / wall:.0f} manifests/s read; system time alone on {args.jobs} cores bounds an "
          f"import to {manifests / max(system / args.jobs, 1e-9):.0f} manifests/s")


if __name__ == "__main__":
    main()
