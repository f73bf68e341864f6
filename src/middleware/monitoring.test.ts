import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { parse as parseYaml } from 'yaml';
import { createProbeApp } from '../app.js';
import { buildSignedInUser } from '../test-support/factories.js';
import { waitUntil } from '../test-support/job-test-support.js';
import { connectSocket, connected, emitWithAck } from '../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';

// The dashboard and alert rules an operator imports, checked against the metrics the server
// really exposes: renaming a metric (or a label they group by) breaks this test, not production.

const monitoringDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../monitoring',
);
const readMonitoringFile = (name: string) => readFileSync(path.join(monitoringDir, name), 'utf8');

/** Series Prometheus makes itself rather than scraping them. */
const PROMETHEUS_SERIES = new Set(['up']);
/** Only reported by a PostgreSQL pool (PGlite has none) or a Redis-backed cache. */
const POSTGRES_ONLY = /^db_pool_/;
const REDIS_ONLY = /^redis_/;

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads (functions, keywords, labels and strings left out). */
export function metricNamesIn(expr: string): Set<string> {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const [, name, call] of bare.matchAll(/([a-zA-Z_:][\w:]*)\s*(\()?/g)) {
    if (name && !call && !PROMQL_WORDS.has(name)) names.add(name);
  }
  return names;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition text's metric families (name to type) and samples. */
function parseExposition(text: string): { families: Map<string, string>; samples: Sample[] } {
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) families.set(type[1], type[2]);
    if (line.length === 0 || line.startsWith('#')) continue;
    // name{labels} value: the value follows the last space (label values here hold none).
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const brace = series.indexOf('{');
    const name = brace === -1 ? series : series.slice(0, brace);
    const labels: Record<string, string> = {};
    const labelText = brace === -1 ? '' : series.slice(brace + 1, -1);
    for (const [, key, value] of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      if (key) labels[key] = value ?? '';
    }
    samples.push({ name, labels, value: Number(line.slice(space + 1)) });
  }
  return { families, samples };
}

/** Whether a referenced name is a family of the exposition, or a histogram's bucket/sum/count. */
function isExposed(name: string, families: Map<string, string>): boolean {
  if (families.has(name)) return true;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && ['histogram', 'summary'].includes(families.get(base) ?? '');
}

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string };
}

const alertRules = (
  parseYaml(readMonitoringFile('prometheus-alerts.yml')) as { groups: { rules: AlertRule[] }[] }
).groups.flatMap((group) => group.rules);

interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readMonitoringFile('grafana-dashboard.json')) as {
  uid: string;
  panels: DashboardPanel[];
  templating: { list: { name: string; type: string }[] };
};
const graphPanels = dashboard.panels.filter((panel) => panel.type !== 'row');

let t: TestApp;
let exposition: ReturnType<typeof parseExposition>;
const sockets: Socket[] = [];

/** Sums the samples of `name` whose labels include `labels`. */
function valueOf(name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = exposition.samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
}

async function scrape(): Promise<ReturnType<typeof parseExposition>> {
  const res = await t.http.get('/metrics').expect(200);
  return parseExposition(res.text);
}

beforeAll(async () => {
  t = await createTestApp();
  const baseUrl = await t.listen();
  await t.container.jobs.start();
  // Traffic of every kind the dashboard shows: an authenticated request (database and cache),
  // socket events handled, refused and emitted, and the repeating jobs' first runs.
  const member = await buildSignedInUser(t);
  await t.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
  const socket = connectSocket(baseUrl, '/workouts', { token: member.session.accessToken });
  sockets.push(socket);
  await connected(socket);
  const progress = {
    exerciseId: 'bench-press',
    exerciseName: 'Bench press',
    setNumber: 1,
    reps: 8,
  };
  expect((await emitWithAck(socket, 'workout:progress', progress)).ok).toBe(true);
  expect((await emitWithAck(socket, 'workout:progress', { reps: 'eight' })).ok).toBe(false);
  expect((await emitWithAck(socket, 'made:up', {})).error?.code).toBe('NOT_FOUND');
  await waitUntil(async () => {
    exposition = await scrape();
    return (valueOf('job_duration_seconds_count') ?? 0) > 0;
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await t.close();
});

describe('/metrics after real traffic', () => {
  it('when requests are served, then their durations are counted by route template', () => {
    expect(
      valueOf('http_request_duration_seconds_count', { method: 'GET', route: '/api/users/me' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('when clients send events, then each is counted by event and how it was answered, unknown names folded', () => {
    const received = (event: string, outcome: string) =>
      valueOf('socketio_events_received_total', { namespace: '/workouts', event, outcome });
    expect(received('workout:progress', 'ok')).toBe(1);
    expect(received('workout:progress', 'validation_error')).toBe(1);
    expect(received('unknown', 'not_found')).toBe(1);
    expect(exposition.samples.some((sample) => sample.labels.event === 'made:up')).toBe(false);
    expect(valueOf('socketio_connected_sockets', { namespace: '/workouts' })).toBe(1);
  });

  it('when the server emits to clients, then each emit is counted by namespace and event', () => {
    expect(
      valueOf('socketio_events_sent_total', { namespace: '/workouts', event: 'workout:progress' }),
    ).toBe(1);
  });

  it('when jobs run, then their durations are counted by queue and every defined queue reports its depth', () => {
    const runQueues = exposition.samples
      .filter((sample) => sample.name === 'job_duration_seconds_count' && sample.value > 0)
      .map((sample) => sample.labels.queue);
    expect(runQueues.length).toBeGreaterThan(0);
    const depths = exposition.samples.filter((sample) => sample.name === 'job_queue_depth');
    expect(depths.map((sample) => sample.labels.queue)).toEqual(expect.arrayContaining(runQueues));
    for (const depth of depths) expect(depth.value).toBeGreaterThanOrEqual(0);
  });

  it('when the database is PostgreSQL, then its pool is reported; PGlite has no pool to report', () => {
    if (t.container.database.kind === 'postgres') {
      expect(valueOf('db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(valueOf('db_pool_max_connections')).toBeGreaterThanOrEqual(
        valueOf('db_pool_connections') ?? Infinity,
      );
      expect(valueOf('db_pool_waiting_clients')).toBe(0);
    } else {
      expect(valueOf('db_pool_connections')).toBeUndefined();
    }
  });

  it('when the cache is Redis, then the authenticated request round trip is timed by command', () => {
    if (t.container.redis) {
      expect(
        valueOf('redis_command_duration_seconds_count', { command: 'request_state' }),
      ).toBeGreaterThanOrEqual(1);
    } else {
      expect(exposition.families.has('redis_command_duration_seconds')).toBe(false);
    }
  });
});

describe("the worker's probe app (WORKER_METRICS_PORT)", () => {
  it('when scraped, then it serves the same registry with the job runs, and nothing of the API', async () => {
    const probes = supertest(createProbeApp(t.container));
    const scraped = await probes.get('/metrics').expect(200);
    expect(scraped.text).toMatch(/^job_duration_seconds_count\{queue="[^"]+"\} [1-9]/m);
    await probes.get('/health/live').expect(200);
    await probes.get('/api/users/me').expect(404);
  });
});

describe('monitoring/ files', () => {
  const unexposed = (exprs: string[]) => {
    const missing = new Set<string>();
    for (const expr of exprs) {
      for (const name of metricNamesIn(expr)) {
        if (PROMETHEUS_SERIES.has(name)) continue;
        if (POSTGRES_ONLY.test(name) && t.container.database.kind !== 'postgres') continue;
        if (REDIS_ONLY.test(name) && !t.container.redis) continue;
        if (!isExposed(name, exposition.families)) missing.add(name);
      }
    }
    return [...missing];
  };

  it('when the PromQL parts are read, then metric names are told from functions, labels and strings', () => {
    expect([
      ...metricNamesIn(
        'histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{route!~"x|y",job=~"$job"}[$__rate_interval]))) / on (route) b_total > bool 1',
      ),
    ]).toEqual(['a_bucket', 'b_total']);
  });

  it('when the Grafana dashboard is read, then it is one importable JSON document whose every panel queries exposed metrics', () => {
    expect(dashboard.uid).toBe('nxg-connect-api');
    expect(dashboard.templating.list.map((variable) => variable.type)).toContain('datasource');
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const exprs = graphPanels.flatMap((panel) => {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      return (panel.targets ?? []).map((target) => target.expr);
    });
    for (const expr of exprs) expect(metricNamesIn(expr).size, expr).toBeGreaterThan(0);
    expect(unexposed(exprs)).toEqual([]);
  });

  it('when the alert rules are read, then each waits a while, has a severity and a summary, and reads exposed metrics', () => {
    expect(alertRules.length).toBeGreaterThan(0);
    for (const rule of alertRules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(metricNamesIn(rule.expr).size, rule.alert).toBeGreaterThan(0);
    }
    expect(unexposed(alertRules.map((rule) => rule.expr))).toEqual([]);
  });
});
