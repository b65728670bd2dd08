#!/usr/bin/env python3
"""What deleting a blob costs on a file system, without any registry (python3 stdlib only).

  unlinkcost.py DIR [--blobs 3000] [--size 3000] [--threads 1 16]

Writes BLOBS files of SIZE random bytes in Docker Registry's layout under DIR
(<2 hex>/<64 hex>/data, random digests, as pushes leave them), syncs, then removes each file and its
directory (what `garbage-collect` and Berth's GC do per blob) with each thread count in turn, and
prints the microseconds per blob. --size 0 shows the cost without freeing data blocks. On a file
system mounted with `discard` whose device makes discards slow, freeing an extent dominates; run it on
two file systems of one machine to see whether the storage or the registry sets a GC's floor.
"""
import argparse, concurrent.futures as cf, os, shutil, time


def populate(root, blobs, size):
    dirs = []
    for _ in range(blobs):
        hexd = os.urandom(32).hex()
        d = os.path.join(root, hexd[:2], hexd)
        os.makedirs(d)
        with open(os.path.join(d, "data"), "wb") as f:
            f.write(os.urandom(size))
        dirs.append(d)
    os.sync()
    return dirs


def remove(d):
    os.unlink(os.path.join(d, "data"))
    os.rmdir(d)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--blobs", type=int, default=3000)
    ap.add_argument("--size", type=int, default=3000)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 16])
    a = ap.parse_args()
    for threads in a.threads:
        root = os.path.join(a.dir, "unlinkcost-%d" % threads)
        shutil.rmtree(root, ignore_errors=True)
        dirs = populate(root, a.blobs, a.size)
        time.sleep(1)
        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(threads) as pool:
            list(pool.map(remove, dirs))
        us = (time.perf_counter() - t0) * 1e6 / len(dirs)
        shutil.rmtree(root, ignore_errors=True)
        print("%s: %d blobs of %d bytes, %d thread(s): %.0f us per blob (unlink + rmdir)" % (a.dir, a.blobs, a.size, threads, us))


if __name__ == "__main__":
    main()
