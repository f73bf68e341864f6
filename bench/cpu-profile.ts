/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`) into where the time went: self time
 * per package or area, and the functions with the most self and inclusive time. Enough to see
 * whether a route is bound by crypto, JSON, logging, the database driver or the framework
 * without opening a profiler UI.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One row of a summary: a name and its share of the profiled time. */
export interface ProfileShare {
  name: string;
  ms: number;
  percent: number;
}

/** What dominated a profile, ready to print or store. */
export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time the process spent waiting (event loop idle): the rest is CPU. */
  idleMs: number;
  byArea: ProfileShare[];
  /** Samples with the package anywhere on the stack: what a dependency costs including callees. */
  byAreaInclusive: ProfileShare[];
  topSelf: ProfileShare[];
  topInclusive: ProfileShare[];
}

const isCpuProfile = (value: unknown): value is CpuProfile =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as Partial<CpuProfile>).nodes) &&
  Array.isArray((value as Partial<CpuProfile>).samples) &&
  Array.isArray((value as Partial<CpuProfile>).timeDeltas);

/** Buckets a frame by where its code lives, so dependency costs add up per package. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName === '' ? '(anonymous native)' : functionName;
  const marker = url.lastIndexOf('node_modules/');
  if (marker !== -1) {
    const [scopeOrName = '', name = ''] = url.slice(marker + 'node_modules/'.length).split('/');
    return scopeOrName.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  if (url.includes('/dist/')) return 'app (dist/)';
  return url;
}

const frameName = (frame: CallFrame): string => {
  const where = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
  return `${frame.functionName || '(anonymous)'} ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
};

function top(map: Map<string, number>, totalMs: number, count: number): ProfileShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: (ms / totalMs) * 100 }));
}

/** Reads and summarises one `.cpuprofile` file; percentages are of busy (non-idle) time. */
export function summarizeCpuProfile(file: string, topCount = 15): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);

  const byId = new Map<number, ProfileNode>();
  const parentOf = new Map<number, number>();
  for (const node of parsed.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }

  let totalMs = 0;
  let idleMs = 0;
  const area = new Map<string, number>();
  const areaInclusive = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) =>
    map.set(key, (map.get(key) ?? 0) + ms);

  parsed.samples.forEach((nodeId, i) => {
    // timeDeltas[i] is the time since the previous sample, in microseconds.
    const ms = (parsed.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(nodeId);
    if (!node) return;
    totalMs += ms;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    add(area, areaOf(node.callFrame), ms);
    add(self, frameName(node.callFrame), ms);
    // Count each function and area once per sample so recursion does not inflate inclusive
    // time. Node internals are left out: event emitters and stream plumbing sit on almost
    // every stack and would crowd out the code that actually decides the cost.
    const seen = new Set<string>();
    const seenAreas = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (!frame || frame.url === '' || frame.url.startsWith('node:')) continue;
      const name = frameName(frame);
      if (!seen.has(name)) {
        seen.add(name);
        add(inclusive, name, ms);
      }
      const where = areaOf(frame);
      if (!seenAreas.has(where)) {
        seenAreas.add(where);
        add(areaInclusive, where, ms);
      }
    }
  });

  const busyMs = Math.max(totalMs - idleMs, 1);
  return {
    file,
    totalMs: Math.round(totalMs),
    idleMs: Math.round(idleMs),
    byArea: top(area, busyMs, topCount),
    byAreaInclusive: top(areaInclusive, busyMs, topCount),
    topSelf: top(self, busyMs, topCount),
    topInclusive: top(inclusive, busyMs, topCount),
  };
}

/** Renders a summary as plain text lines. */
export function formatCpuProfile(summary: ProfileSummary): string {
  const rows = (title: string, shares: ProfileShare[]) => [
    title,
    ...shares.map(
      (share) =>
        `  ${share.percent.toFixed(1).padStart(5)}%  ${String(share.ms).padStart(7)} ms  ${share.name}`,
    ),
  ];
  const busy = summary.totalMs - summary.idleMs;
  return [
    `CPU profile ${summary.file}`,
    `  profiled ${summary.totalMs} ms, busy ${busy} ms, idle ${summary.idleMs} ms (percentages are of busy time)`,
    ...rows('Self time by area:', summary.byArea),
    ...rows('Inclusive time by package (on the stack anywhere):', summary.byAreaInclusive),
    ...rows('Top functions by self time:', summary.topSelf),
    ...rows('Top JS functions by inclusive time (Node internals left out):', summary.topInclusive),
  ].join('\n');
}
