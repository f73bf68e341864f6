import { Redis } from 'ioredis';
import { Counter, Histogram, type Registry } from 'prom-client';
import {
  KeyValueUnavailableError,
  type KeyValueStore,
  type RequestState,
  type RequestStateQuery,
} from './kv.js';

/**
 * `readRequestState` as one script, so the request makes one round trip and Redis one command.
 * KEYS: the hash, the version keys, then the counter key when there is one.
 * ARGV: field count, version count, fresh version, version TTL (s), window (ms) or "", fields.
 * Returns: the fields, the versions, then the count and the counter's milliseconds left.
 */
const REQUEST_STATE_SCRIPT = `
local fieldCount = tonumber(ARGV[1])
local versionCount = tonumber(ARGV[2])
local reply = {}
if fieldCount > 0 then
  reply = redis.call('HMGET', KEYS[1], unpack(ARGV, 6, 5 + fieldCount))
end
for i = 1, versionCount do
  local key = KEYS[1 + i]
  local version = redis.call('GET', key)
  if not version then
    version = ARGV[3]
    redis.call('SET', key, version, 'EX', ARGV[4])
  end
  reply[fieldCount + i] = version
end
if ARGV[5] ~= '' then
  local key = KEYS[2 + versionCount]
  redis.call('SET', key, '0', 'PX', ARGV[5], 'NX')
  reply[fieldCount + versionCount + 1] = redis.call('INCR', key)
  reply[fieldCount + versionCount + 2] = redis.call('PTTL', key)
end
return reply
`;

interface RequestStateCommand {
  readRequestState(numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown[]>;
}

/** How long requests may wait on Redis, and how quickly a lost connection is replaced. */
export interface RedisConnectionSettings {
  /** Longest one command may take before its caller hears that the cache is unavailable. */
  commandTimeoutMs: number;
  /** Longest a TCP connection attempt may take. */
  connectTimeoutMs: number;
  /** Longest pause between reconnection attempts, and between probes of a silent server. */
  reconnectMaxDelayMs: number;
}

export const defaultRedisConnectionSettings: RedisConnectionSettings = {
  commandTimeoutMs: 500,
  connectTimeoutMs: 2_000,
  reconnectMaxDelayMs: 500,
};

export interface RedisConnectOptions {
  settings?: Partial<RedisConnectionSettings>;
  /** Hears when the store becomes unavailable and when it answers again (once per change). */
  onAvailabilityChange?: (available: boolean, reason: string) => void;
}

// Replies that mean "this server cannot serve now" (loading after a restart, a failover, out of
// memory under noeviction), as opposed to a mistake in the command.
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|OOM|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;

type Availability = 'connecting' | 'up' | 'down';

/** The store's operations as measured: a handful of names, whatever the keys. */
type CommandName =
  | 'get'
  | 'set'
  | 'set_nx'
  | 'del'
  | 'incr_expire'
  | 'incr_window'
  | 'ttl'
  | 'hmget'
  | 'hset'
  | 'hgetall'
  | 'hdel'
  | 'request_state'
  | 'ping';

/** Latency and failures per operation; children are bound once so a command allocates nothing. */
class RedisCommandMetrics {
  private readonly duration: Histogram<'command'>;
  private readonly errors: Counter<'command' | 'reason'>;
  private readonly timers = new Map<CommandName, Histogram.Internal<'command'>>();

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'redis_command_duration_seconds',
      help: 'Round trip of the cache commands sent to Redis, by store operation (a pipeline or script counts once)',
      labelNames: ['command'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'redis_command_errors_total',
      help: 'Cache commands that failed, by store operation; reason="unavailable" (down, timed out) or "reply" (refused by Redis)',
      labelNames: ['command', 'reason'] as const,
      registers: [registry],
    });
  }

  observe(name: CommandName, seconds: number): void {
    let timer = this.timers.get(name);
    if (!timer) {
      timer = this.duration.labels({ command: name });
      this.timers.set(name, timer);
    }
    timer.observe(seconds);
  }

  countError(name: CommandName, reason: 'unavailable' | 'reply'): void {
    this.errors.inc({ command: name, reason });
  }
}

/**
 * Redis-backed store shared by every instance. `prefix` namespaces one deployment (or test).
 *
 * A request never waits on Redis for more than the command timeout: there is no offline queue
 * (a command while disconnected fails at once), every command has a deadline, and a server
 * that stops answering (frozen, or a network that drops packets without closing) is marked
 * down at its first missed deadline, so later commands fail at once too, until a probe gets an
 * answer or the connection is replaced. ioredis replaces a connection that has pending commands
 * and has been silent for four command timeouts, and reconnects with a short backoff, so the
 * store serves again within about a second of Redis coming back.
 */
export class RedisKeyValueStore implements KeyValueStore {
  private availability: Availability = 'connecting';
  private probe: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly firstConnection: Promise<void>;
  private metrics: RedisCommandMetrics | undefined;

  constructor(
    readonly client: Redis,
    readonly prefix: string,
    readonly settings: RedisConnectionSettings = defaultRedisConnectionSettings,
    private readonly onAvailabilityChange: (available: boolean, reason: string) => void = () =>
      undefined,
  ) {
    if (client.status === 'ready') this.availability = 'up';
    // EVALSHA, with EVAL when the server does not know the script yet (after a restart).
    if (!('readRequestState' in client)) {
      client.defineCommand('readRequestState', { lua: REQUEST_STATE_SCRIPT });
    }
    this.firstConnection = new Promise<void>((resolve) => {
      client.once('ready', resolve);
      client.once('close', resolve);
    });
    client.on('ready', () => this.markUp('connected'));
    client.on('close', () => this.markDown('connection closed'));
  }

  /** Connects with settings suited to a request path (see the class comment). */
  static connect(
    url: string,
    prefix: string,
    options: RedisConnectOptions = {},
  ): RedisKeyValueStore {
    const settings = { ...defaultRedisConnectionSettings, ...options.settings };
    const client = new Redis(url, {
      // `run` bounds every command itself, letting a reply that already arrived be read before
      // calling the command late; the client's own limit is only a backstop, for the commands
      // other parts (socket quotas) send on this connection directly.
      commandTimeout: settings.commandTimeoutMs * 2,
      // A connection with commands pending that hears nothing for this long is dead: replace it.
      socketTimeout: settings.commandTimeoutMs * 4,
      connectTimeout: settings.connectTimeoutMs,
      // Commands sent before the first connection wait for it (bounded by the command
      // timeout); once connected, commands fail while disconnected instead of queueing, since
      // the caller is a request that must answer.
      enableOfflineQueue: true,
      // Commands cut off by a lost connection fail; replaying them later helps no one waiting.
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) =>
        Math.min(50 * 2 ** Math.min(attempt, 10), settings.reconnectMaxDelayMs),
      // Commands issued in the same tick (rate limit, revocation check) share one write. It keeps
      // one batch in flight, so under load a command waits for the previous batch's replies;
      // holding each turn's commands in the socket instead (one write per turn, any number in
      // flight) cost 16% less CPU per GET /me but let a flood of sign-ins push reads' p99 from
      // ~150 ms to 0.8-2.4 s (README, "What an authenticated request costs").
      enableAutoPipelining: true,
    });
    client.once('ready', () => {
      client.options.enableOfflineQueue = false;
    });
    // Connection errors are reported once per change through onAvailabilityChange; without a
    // listener, ioredis would print each reconnection attempt's error.
    client.on('error', () => undefined);
    return new RedisKeyValueStore(client, prefix, settings, options.onAvailabilityChange);
  }

  /**
   * Reports every command's latency (`redis_command_duration_seconds`) and failures
   * (`redis_command_errors_total`) in `registry`, by the store operation's name. One registry
   * per store: the process's, given by the container that opened the store.
   */
  measureCommandsIn(registry: Registry): void {
    this.metrics = new RedisCommandMetrics(registry);
  }

  /** Whether commands are currently sent (false while disconnected or the server is silent). */
  get available(): boolean {
    return this.availability === 'up' && this.client.status === 'ready';
  }

  private markUp(reason: string): void {
    this.stopProbing();
    if (this.availability === 'up') return;
    const wasDown = this.availability === 'down';
    this.availability = 'up';
    if (wasDown) this.onAvailabilityChange(true, reason);
  }

  private markDown(reason: string): void {
    if (this.closed || this.availability === 'down') return;
    this.availability = 'down';
    this.onAvailabilityChange(false, reason);
  }

  /** A silent server: probe it until it answers (or ioredis replaces the connection). */
  private markSilent(): void {
    this.markDown('command timed out');
    if (this.probe || this.closed) return;
    this.probe = setInterval(() => {
      if (this.client.status !== 'ready') return;
      this.client.ping().then(
        () => this.markUp('answering again'),
        () => undefined,
      );
    }, this.settings.reconnectMaxDelayMs);
    this.probe.unref();
  }

  private stopProbing(): void {
    clearInterval(this.probe);
    this.probe = undefined;
  }

  /**
   * Runs a command with a deadline, or fails at once when the store is known to be down. Only
   * before the first connection does a command wait (bounded) for it.
   */
  private async run<T>(
    name: CommandName,
    command: (client: Redis) => Promise<T>,
    force = false,
  ): Promise<T> {
    if (this.availability === 'connecting') await this.waitForFirstConnection();
    if ((!force && !this.available) || this.client.status !== 'ready') {
      this.metrics?.countError(name, 'unavailable');
      throw new KeyValueUnavailableError();
    }
    const startedAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    // Bounds single commands, pipelines and transactions alike, whatever path they take inside
    // the client.
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        // Timers run before the loop reads sockets: under a busy event loop the reply may be
        // waiting unread already. One turn of I/O first (setImmediate runs after the poll
        // phase), so a late loop is not mistaken for a silent server.
        setImmediate(() => reject(new Error('Command timed out')));
      }, this.settings.commandTimeoutMs);
    });
    const pending = command(this.client);
    // When the deadline wins, the command may still fail later; nobody is waiting for it then.
    pending.catch(() => undefined);
    try {
      return await Promise.race([pending, deadline]);
    } catch (error) {
      const classified = this.classify(error);
      this.metrics?.countError(
        name,
        classified instanceof KeyValueUnavailableError ? 'unavailable' : 'reply',
      );
      throw classified;
    } finally {
      clearTimeout(timer);
      this.metrics?.observe(name, (performance.now() - startedAt) / 1000);
    }
  }

  private async waitForFirstConnection(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.firstConnection,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.settings.commandTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private classify(error: unknown): Error {
    // The server answered with an error: a mistake in the command, unless it says it cannot serve.
    if (error instanceof Error && error.name === 'ReplyError') {
      return UNAVAILABLE_REPLY.test(error.message) ? new KeyValueUnavailableError(error) : error;
    }
    if (error instanceof Error && /timed out/i.test(error.message)) this.markSilent();
    return new KeyValueUnavailableError(error);
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  get(key: string): Promise<string | null> {
    return this.run('get', (client) => client.get(this.k(key)));
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    await this.run('set', (client) =>
      ttlSeconds === undefined
        ? client.set(this.k(key), value)
        : client.set(this.k(key), value, 'EX', Math.max(1, Math.ceil(ttlSeconds))),
    );
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const result = await this.run('set_nx', (client) =>
      client.set(this.k(key), value, 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX'),
    );
    return result === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.run('del', (client) => client.del(this.k(key)));
  }

  async increment(key: string, ttlSeconds: number, by = 1): Promise<number> {
    // EXPIRE NX only sets the TTL on the first increment, so a window never slides.
    const results = await this.run('incr_expire', (client) =>
      client
        .multi()
        .incrby(this.k(key), by)
        .expire(this.k(key), Math.max(1, Math.ceil(ttlSeconds)), 'NX')
        .exec(),
    );
    const count = results?.[0]?.[1];
    if (typeof count !== 'number') throw new Error('Redis INCR returned no count');
    return count;
  }

  async incrementInWindow(
    key: string,
    windowMs: number,
  ): Promise<{ count: number; resetAt: number }> {
    const window = Math.max(1, Math.ceil(windowMs));
    const results = await this.run('incr_window', (client) =>
      client
        .multi()
        .set(this.k(key), '0', 'PX', window, 'NX')
        .incr(this.k(key))
        .pttl(this.k(key))
        .exec(),
    );
    const count = results?.[1]?.[1];
    const msLeft = results?.[2]?.[1];
    if (typeof count !== 'number') throw new Error('Redis INCR returned no count');
    return {
      count,
      resetAt: Date.now() + (typeof msLeft === 'number' && msLeft > 0 ? msLeft : window),
    };
  }

  async ttl(key: string): Promise<number | null> {
    const seconds = await this.run('ttl', (client) => client.ttl(this.k(key)));
    return seconds >= 0 ? seconds : null;
  }

  async getFields(key: string, fields: string[]): Promise<(string | null)[]> {
    if (fields.length === 0) return [];
    return this.run('hmget', (client) => client.hmget(this.k(key), ...fields));
  }

  async setFields(key: string, values: Record<string, string>): Promise<void> {
    if (Object.keys(values).length === 0) return;
    await this.run('hset', (client) => client.hset(this.k(key), values));
  }

  getAllFields(key: string): Promise<Record<string, string>> {
    return this.run('hgetall', (client) => client.hgetall(this.k(key)));
  }

  async deleteFields(key: string, fields: string[]): Promise<void> {
    if (fields.length === 0) return;
    await this.run('hdel', (client) => client.hdel(this.k(key), ...fields));
  }

  async readRequestState(query: RequestStateQuery): Promise<RequestState> {
    const { hash, versions, counter } = query;
    const keys = [
      this.k(hash.key),
      ...versions.keys.map((key) => this.k(key)),
      ...(counter ? [this.k(counter.key)] : []),
    ];
    const args = [
      String(hash.fields.length),
      String(versions.keys.length),
      versions.freshVersion,
      String(Math.max(1, Math.ceil(versions.ttlSeconds))),
      counter ? String(Math.max(1, Math.ceil(counter.windowMs))) : '',
      ...hash.fields,
    ];
    const reply = await this.run('request_state', (client) =>
      (client as unknown as RequestStateCommand).readRequestState(keys.length, ...keys, ...args),
    );
    // Lua turns nil into false, and an array with false holes is cut short: read by index.
    const at = (index: number): unknown => reply[index];
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    const fieldCount = hash.fields.length;
    const fields = hash.fields.map((_field, index) => text(at(index)));
    const versionValues = versions.keys.map((_key, index) => {
      const value = text(at(fieldCount + index));
      if (value === null) throw new Error('Redis returned no version stamp');
      return value;
    });
    if (!counter) return { fields, versions: versionValues };
    const count = at(fieldCount + versions.keys.length);
    const msLeft = at(fieldCount + versions.keys.length + 1);
    if (typeof count !== 'number') throw new Error('Redis INCR returned no count');
    const window = Math.max(1, Math.ceil(counter.windowMs));
    return {
      fields,
      versions: versionValues,
      counter: {
        count,
        resetAt: Date.now() + (typeof msLeft === 'number' && msLeft > 0 ? msLeft : window),
      },
    };
  }

  /**
   * Asks the server even while the store is marked down (readiness probes), so an answer
   * brings it back at once.
   */
  async ping(): Promise<boolean> {
    await this.run('ping', (client) => client.ping(), true);
    this.markUp('answering again');
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopProbing();
    // QUIT fails at once when disconnected and within the command timeout when silent.
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
