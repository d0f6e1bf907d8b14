/**
 * In-process platform events: how rooms tell each other that state changed without importing each
 * other (the dyno manager reconciles on `formation.changed`, the router feed refreshes on
 * `dyno.changed`…). Listeners run synchronously and must not throw; async work is theirs to own.
 */
export interface PlatformEvents {
  'app.created': { appId: string };
  'app.destroyed': { appId: string; name: string };
  'app.changed': { appId: string };
  'release.created': { appId: string; releaseId: string; version: number };
  'formation.changed': { appId: string; types: string[] };
  /** A monitor (autoscaling policy) was created, changed or removed. */
  'autoscale.changed': { appId: string; type: string };
  'config.changed': { appId: string };
  'dyno.changed': { appId: string; dynoName: string };
  'domain.changed': { appId: string };
  'dynos.restart': { appId: string; type?: string; dynoName?: string };
  'dynos.stop': { appId: string; type?: string; dynoName?: string };
}

export type EventName = keyof PlatformEvents;
type Listener<K extends EventName> = (payload: PlatformEvents[K]) => void;

export interface EventBus {
  emit<K extends EventName>(name: K, payload: PlatformEvents[K]): void;
  on<K extends EventName>(name: K, listener: Listener<K>): () => void;
}

export function createEventBus(onListenerError: (err: unknown, name: string) => void = () => {}): EventBus {
  const listeners = new Map<string, Set<Listener<never>>>();
  return {
    emit(name, payload) {
      for (const l of listeners.get(name) ?? []) {
        try {
          (l as Listener<typeof name>)(payload);
        } catch (err) {
          onListenerError(err, name);
        }
      }
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as Listener<never>);
      return () => set.delete(listener as Listener<never>);
    },
  };
}
