/**
 * DIB's mount order (block_device/level3/mount.py): each mount point, as its plugin is created in
 * config order, is appended to a list that is then re-sorted with `cmp_mount_order`, which says
 * "a < b when b starts with a, else a > b". That comparison is not a total order (two unrelated
 * mount points are each "greater" than the other), so the result depends on Python's sort itself:
 * for the short lists layouts have, CPython's list.sort is a natural-run count plus a binary
 * insertion sort (Objects/listobject.c, count_run and binarysort), reproduced here step by step so
 * our order, and the fstab written in it, is DIB's.
 */

/** cmp_mount_order: -1 when `other` lies under `self` (string prefix), 0 when equal, else 1. */
export function dibCompareMountPoints(self: string, other: string): number {
  if (self === other) return 0;
  return other.startsWith(self) ? -1 : 1;
}

/** CPython's sort for lists under 64 items (one run, then binary insertion); stable. */
export function pythonSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const a = [...items];
  const n = a.length;
  if (n < 2) return a;
  const lt = (x: T, y: T) => cmp(x, y) < 0;
  // count_run: the longest ascending (non-descending) or strictly descending prefix.
  let run = 2;
  if (lt(a[1]!, a[0]!)) {
    while (run < n && lt(a[run]!, a[run - 1]!)) run++;
    a.splice(0, run, ...a.slice(0, run).reverse());
  } else {
    while (run < n && !lt(a[run]!, a[run - 1]!)) run++;
  }
  // binarysort: insert each following item after the last element it is not less than.
  for (let start = run; start < n; start++) {
    const pivot = a[start]!;
    let l = 0;
    let r = start;
    while (l < r) {
      const p = l + ((r - l) >> 1);
      if (lt(pivot, a[p]!)) r = p;
      else l = p + 1;
    }
    a.splice(start, 1);
    a.splice(l, 0, pivot);
  }
  return a;
}

/** The mount points in DIB's mount order, given in the order their mount nodes appear in the config. */
export function dibMountOrder(mountPoints: readonly string[]): string[] {
  let sorted: string[] = [];
  for (const mp of mountPoints) sorted = pythonSort([...sorted, mp], dibCompareMountPoints);
  return sorted;
}
