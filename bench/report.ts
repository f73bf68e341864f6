/**
 * How a benchmark turns its measurements into what it prints and keeps: percentiles, the
 * aligned table, the machine it ran on, the results file under bench/results/ and the verdict
 * on its goal.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './api-under-test.js';

/**
 * Where results files (and CPU profiles) go. Git ignores the full per-run files; the compact
 * history of each benchmark (`<kind>.json`, see appendHistory) is committed.
 */
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/** How many runs a history file keeps, newest last. */
const HISTORY_LENGTH = 100;

/** Rounds to `digits` decimals, for numbers that are printed and stored. */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

/** Latency percentiles in ms, rounded to 0.1 ms; NaN where there were no samples. */
export interface LatencyPercentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The percentiles, maximum and mean of an ascending-sorted array of latencies in ms. */
export function latencyPercentiles(sorted: Float64Array): LatencyPercentiles {
  const mean = sorted.length === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(mean),
  };
}

/** A plain-text table: the first column left-aligned, the numbers right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join(' | ');
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.map(line),
  ].join('\n');
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

/** The machine and code a run measured, so results files can be compared fairly. */
export interface RunEnvironment {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  commit: string | undefined;
}

/** Describes this machine, this Node and the checked-out commit. */
export function describeEnvironment(): RunEnvironment {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 1024 ** 3),
    commit: gitCommit(),
  };
}

/**
 * Writes `bench/results/<kind>-<start time>.json`: the run's times and environment, then
 * `content` in its own key order. Returns the file's path.
 */
export function writeResults(
  kind: string,
  startedAt: Date,
  environment: RunEnvironment,
  content: Record<string, unknown>,
): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(
    RESULTS_DIR,
    `${kind}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  const document = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment,
    ...content,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

/** One run in a benchmark's committed history: when, where, on which code, and its numbers. */
export interface HistoryEntry {
  date: string;
  commit: string | undefined;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    platform: string;
    /** 1-minute load average when the run ended: a busy machine explains poor numbers. */
    loadAverage1m: number;
  };
  /** Whether the run met the benchmark's goal; null when the goal's scenario was not run. */
  goalMet: boolean | null;
  /** The headline numbers, one row per scenario, including the baseline's for comparison. */
  results: Record<string, unknown>[];
}

/**
 * Appends a run to `bench/results/<kind>.json`, the committed history (newest last, at most
 * HISTORY_LENGTH runs), so how speed moved shows in git. Returns the file's path.
 */
export function appendHistory(
  kind: string,
  startedAt: Date,
  environment: RunEnvironment,
  goalMet: boolean | null,
  results: Record<string, unknown>[],
): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${kind}.json`);
  const history = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: HistoryEntry[] })
    : { runs: [] };
  const { cpus, cpuModel, memoryGb, node, platform } = environment;
  history.runs.push({
    date: startedAt.toISOString(),
    commit: environment.commit,
    machine: { cpus, cpuModel, memoryGb, node, platform, loadAverage1m: round(os.loadavg()[0]!) },
    goalMet,
    results,
  });
  history.runs = history.runs.slice(-HISTORY_LENGTH);
  // One run per line keeps each run's diff to the line it adds.
  const lines = history.runs.map((run) => `    ${JSON.stringify(run)}`);
  writeFileSync(file, `{\n  "runs": [\n${lines.join(',\n')}\n  ]\n}\n`);
  return file;
}

/** One line of the printed report; stdout carries nothing else. */
export const out = (text: string) => process.stdout.write(`${text}\n`);

/** Whether a run met its goal, with one printed line per criterion. */
export interface GoalVerdict {
  met: boolean;
  lines: string[];
}

/**
 * The report's closing lines: where the results went (and the history, unless the run was not
 * added to it), then the goal's verdict, or why it was not judged (its scenario was not run).
 */
export function printResultsAndGoal(
  file: string,
  historyFile: string | undefined,
  verdict: GoalVerdict | undefined,
  goal: { title: string; notJudged: string },
): void {
  const history =
    historyFile === undefined
      ? 'history not appended'
      : `history: ${path.relative(ROOT, historyFile)}`;
  out(`\nResults written to ${path.relative(ROOT, file)} (${history})`);
  if (verdict) {
    out(`\nGoal (${goal.title}): ${verdict.met ? 'MET' : 'NOT MET'}`);
    for (const line of verdict.lines) out(line);
  } else {
    out(`\nGoal not judged: ${goal.notJudged}`);
  }
}
