import type { Logger } from '../logger.js';

/**
 * The domain events of every module, by name. Empty here: each module that emits events adds
 * its own by declaration merging (`declare module '…/lib/events/domain-events.js'`), next to the
 * code that emits them, so lib/ depends on no module and an event's payload is typed where it
 * is defined.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the modules
export interface DomainEventMap {}

export type DomainEventName = keyof DomainEventMap;
type Listener<E extends DomainEventName> = (payload: DomainEventMap[E]) => void | Promise<void>;

/**
 * In-process, typed publish/subscribe between modules. The module that changes data announces
 * it; the modules that react subscribe in the composition root (container.ts), so neither
 * imports the other.
 *
 * - `publish` is for what has happened (after the commit): listeners run one after another, a
 *   failing listener is logged and the others still run, and the publisher never fails because
 *   of a reaction.
 * - `run` is for what is about to happen inside the publisher's unit of work (a transaction
 *   passed in the payload): listeners run one after another and a failure propagates, so the
 *   whole change is rolled back.
 */
export class DomainEvents {
  private readonly listeners = new Map<DomainEventName, Listener<never>[]>();

  constructor(private readonly logger: Logger) {}

  on<E extends DomainEventName>(event: E, listener: Listener<E>): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  async publish<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): Promise<void> {
    for (const listener of this.listenersOf(event)) {
      try {
        await listener(payload);
      } catch (error) {
        this.logger.error({ err: error, event }, 'domain event listener failed');
      }
    }
  }

  async run<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): Promise<void> {
    for (const listener of this.listenersOf(event)) await listener(payload);
  }

  private listenersOf<E extends DomainEventName>(event: E): Listener<E>[] {
    return (this.listeners.get(event) ?? []) as Listener<E>[];
  }
}
