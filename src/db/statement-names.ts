import type pg from 'pg';

/**
 * PostgreSQL parses every unnamed statement anew. Measured on a workout-log POST (about 25
 * statements), parsing took 4 of its 21 ms of PostgreSQL time. A named statement is parsed once
 * per connection. (It is still planned for its parameters on every run: the pool's connections
 * set `plan_cache_mode = force_custom_plan`, see database.ts, because a generic plan chosen from
 * average statistics was 45 times slower for the member with the longest history.)
 *
 * So every pooled connection names the parameterized statements the process sends more than
 * once: node-postgres then prepares each once per connection and binds it from then on. A
 * statement is named on its second sighting, so one-off texts (batch inserts of odd sizes, say)
 * never take a name, and at most `maxNamed` texts ever get one (each costs memory in every
 * connection's backend); later ones stay unnamed. Statements without parameters stay as they
 * are: they may hold several statements, which only the unnamed simple protocol accepts.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly seenOnce = new Set<string>();

  constructor(
    private readonly maxNamed = 500,
    /** Texts remembered as seen once; when full, the memory starts over. */
    private readonly maxSeen = 5_000,
  ) {}

  /** The name `text` goes by, giving it one on its second sighting while there is room. */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.maxNamed) return known;
    if (!this.seenOnce.has(text)) {
      if (this.seenOnce.size >= this.maxSeen) this.seenOnce.clear();
      this.seenOnce.add(text);
      return undefined;
    }
    this.seenOnce.delete(text);
    const name = `nxg_${String(this.names.size + 1)}`;
    this.names.set(text, name);
    return name;
  }

  /** How many texts have a name (for tests and metrics). */
  get size(): number {
    return this.names.size;
  }

  /**
   * Makes `client` send the statements this cache names as named statements. Call it once per
   * connection, before its first query (the pool's `connect` event).
   */
  nameStatementsOf(client: pg.PoolClient): void {
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    const named = (...args: unknown[]): unknown => {
      const [config, values, ...rest] = args;
      const query = typeof config === 'string' ? { text: config } : config;
      const name = this.nameFor(query, values);
      return name === undefined
        ? send(...args)
        : send({ ...(query as object), name }, values, ...rest);
    };
    client.query = named as typeof client.query;
  }

  private nameFor(config: unknown, values: unknown): string | undefined {
    if (typeof config !== 'object' || config === null) return undefined;
    const query = config as { text?: unknown; name?: unknown; values?: unknown; submit?: unknown };
    // Cursors and streams (`submit`) and statements named by their caller keep their own way.
    if (typeof query.text !== 'string' || query.name !== undefined) return undefined;
    if (typeof query.submit === 'function') return undefined;
    const parameters = Array.isArray(values) ? values : query.values;
    if (!Array.isArray(parameters) || parameters.length === 0) return undefined;
    return this.nameOf(query.text);
  }
}
