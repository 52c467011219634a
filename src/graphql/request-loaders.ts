// A DataLoader per request: what each row of a list would ask for alone is asked once for the page.
// It lives as long as the request's context (a WeakMap), so nothing is shared across requests or
// callers, and it batches without caching: a request's second mutation sees what its first changed.
import DataLoader from 'dataloader';
import type { Context } from './context.ts';

/** `loaderOf(context)` gives the request's own loader, which answers a batch of keys with `batch`. */
export function requestLoader<Key, Value>(batch: (context: Context, keys: readonly Key[]) => Promise<Value[]>) {
  const loaders = new WeakMap<Context, DataLoader<Key, Value>>();
  return (context: Context): DataLoader<Key, Value> => {
    const existing = loaders.get(context);
    if (existing) return existing;
    const loader = new DataLoader<Key, Value>((keys) => batch(context, keys), { cache: false });
    loaders.set(context, loader);
    return loader;
  };
}
