/**
 * Sizing a disk for its filesystems. With a size (--image-size or the local_loop's own), the layout
 * is planned and every filesystem must fit its partition. Without, the smallest disk (in whole MiB)
 * is searched on which every filesystem fits: fixed partitions keep their sizes and N% partitions
 * grow with the disk, so the disk grows by what the worst-off partition lacks, scaled by its share.
 */
import { inputError } from '../errors.js';
import { planLayout, type DiskPlan, type LayoutGraph } from '../layout/index.js';
import { formatSize } from '../size.js';

const MiB = 1024 * 1024;

export interface SizingOptions {
  /** Bytes, from --image-size; ignored when the local_loop sets its own size. */
  readonly imageSize?: number | undefined;
  readonly seed: string;
  readonly source: string;
  readonly needsAt?: NeedsAt | undefined;
}

/** What each device (partition or disk name) must hold at least, in bytes. */
export type Needs = ReadonlyMap<string, number>;

/** For devices whose need depends on the size they get: bytes needed when given `size` bytes. */
export type NeedsAt = ReadonlyMap<string, (size: number) => number>;

/** `1536MiB`, `2GiB`: a size the user can paste after --image-size. */
export function sizeArgument(bytes: number): string {
  const mib = Math.ceil(bytes / MiB);
  return mib % 1024 === 0 ? `${mib / 1024}GiB` : `${mib}MiB`;
}

interface Shortfall {
  readonly device: string;
  readonly need: number;
  readonly have: number;
}

function shortfalls(plan: DiskPlan, needs: Needs, needsAt: NeedsAt | undefined): Shortfall[] {
  const out: Shortfall[] = [];
  for (const [device, base] of needs) {
    const have = plan.table ? plan.partitions.find((p) => p.name === device)?.size : plan.size;
    if (have === undefined) continue; // not a partition of this table (the planner reports that)
    const need = Math.max(base, needsAt?.get(device)?.(have) ?? 0);
    if (have < need) out.push({ device, need, have });
  }
  return out;
}

/**
 * Share of the disk a partition grows by when the disk grows: 1 for the disk itself, 0 for a fixed
 * size; an N% partition takes N% of what the N% partitions before it left.
 */
function shareOf(graph: LayoutGraph, device: string): number {
  const node = graph.nodes.get(device);
  if (node?.kind !== 'partition') return 1;
  if (node.size.kind !== 'percent') return 0;
  const table = graph.partitionings.find((t) => t.partitions.includes(device));
  let left = 1;
  for (const name of table?.partitions ?? []) {
    const p = graph.nodes.get(name);
    if (p?.kind !== 'partition' || p.size.kind !== 'percent') continue;
    if (name === device) return (left * p.size.percent) / 100;
    left *= 1 - p.size.percent / 100;
  }
  return node.size.percent / 100;
}

/** Plans the layout on the smallest disk that holds every need. */
export function autoPlan(graph: LayoutGraph, needs: Needs, options: SizingOptions): DiskPlan {
  const fixed = [...graph.nodes.values()].reduce((sum, n) => sum + (n.kind === 'partition' && n.size.kind === 'absolute' ? n.size.bytes : 0), 0);
  const partitions = [...graph.nodes.values()].filter((n) => n.kind === 'partition').length;
  let needsTotal = 0;
  for (const [device, need] of needs) if (shareOf(graph, device) > 0) needsTotal += need;
  // Table, alignment gaps, EBRs, the GPT backup: a few MiB; the loop corrects any shortfall.
  let size = Math.ceil((fixed + needsTotal) / MiB) * MiB + (partitions > 0 ? (partitions + 3) * MiB : 0);
  for (let round = 0; round < 64; round++) {
    const plan = planLayout(graph, { imageSize: size, seed: options.seed, source: options.source });
    const short = shortfalls(plan, needs, options.needsAt);
    if (short.length === 0) return plan;
    let grow = 0;
    for (const s of short) {
      const share = shareOf(graph, s.device);
      if (share === 0) {
        throw inputError(
          `${options.source}: partition ${s.device} is ${formatSize(s.have)} but its files need ${formatSize(s.need)}`,
          `give it a size of at least ${sizeArgument(s.need)} (or a percentage) in the layout`,
        );
      }
      grow = Math.max(grow, Math.ceil((s.need - s.have) / share));
    }
    size = Math.ceil((size + grow + MiB) / MiB) * MiB;
  }
  throw inputError(`${options.source}: could not find an image size that holds every filesystem`, 'give --image-size');
}

/**
 * The disk plan: on the given size (every filesystem must fit: otherwise an input error naming the
 * partition, what it needs, what it got and the --image-size that would do), or the automatic one.
 */
export function planDisk(graph: LayoutGraph, needs: Needs, options: SizingOptions): DiskPlan {
  const disk = [...graph.nodes.values()].find((n) => n.kind === 'local_loop');
  const given = disk?.kind === 'local_loop' && disk.size !== undefined ? disk.size : options.imageSize;
  if (given === undefined) return autoPlan(graph, needs, options);
  let plan: DiskPlan;
  try {
    plan = planLayout(graph, { imageSize: given, seed: options.seed, source: options.source });
  } catch (e) {
    // The partition table alone does not fit: say which size would hold everything.
    const auto = tryAutoSize(graph, needs, options);
    if (auto !== undefined && e instanceof Error && 'hint' in e) throw inputError(`${e.message}`, `use --image-size ${sizeArgument(auto)} or more`);
    throw e;
  }
  const short = shortfalls(plan, needs, options.needsAt)[0];
  if (short) {
    const auto = tryAutoSize(graph, needs, options);
    const what = plan.table ? `partition ${short.device}` : `filesystem on ${short.device}`;
    const fix = disk?.kind === 'local_loop' && disk.size !== undefined ? `raise the size of local_loop ${disk.name} in the layout` : 'use --image-size';
    throw inputError(`${what} needs ${formatSize(short.need)}, ${formatSize(short.have)} left`, auto !== undefined ? `${fix} ${sizeArgument(auto)}` : fix);
  }
  return plan;
}

function tryAutoSize(graph: LayoutGraph, needs: Needs, options: SizingOptions): number | undefined {
  try {
    return autoPlan(graph, needs, options).size;
  } catch {
    return undefined;
  }
}
