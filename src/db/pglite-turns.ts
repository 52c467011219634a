// The embedded database runs every statement on the server's one thread, and PGlite hands the next
// queued statement over through a chain of promises: 32 webhook outcomes settling at once ran back
// to back, with no turn of the event loop between them, and /health waited behind them for up to
// 1.6 s (the fairness drill, docs/reliability.md). Here statements are taken one at a time, each
// after a turn of the event loop, so a request that arrives meanwhile is read between two statements.
import type { PGlite, QueryOptions, Transaction } from '@electric-sql/pglite';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What the Prisma adapter calls on a PGlite instance or on one of its transactions. */
type Statements = Pick<Transaction, 'query' | 'exec'>;

function statementsAfterATurn<T extends Statements>(target: T, schedule: <R>(job: () => Promise<R>) => Promise<R>): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      if (property === 'query')
        return (sql: string, params?: unknown[], options?: QueryOptions) => schedule(() => object.query(sql, params, options));
      if (property === 'exec') return (sql: string, options?: QueryOptions) => schedule(() => object.exec(sql, options));
      const value: unknown = Reflect.get(object, property, receiver);
      // PGlite keeps private fields: its own methods run on itself, not on the proxy.
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

/**
 * The PGlite instance as the Prisma adapter should see it: statements and transactions queued, one
 * at a time, each after a turn of the event loop; a transaction holds the queue until it ends (PGlite
 * would hold its own lock as long), and its statements too wait for a turn each.
 */
export function takingTurns(pglite: PGlite): PGlite {
  let tail: Promise<unknown> = Promise.resolve();
  const inTurn = <R>(job: () => Promise<R>): Promise<R> => {
    const run = tail.then(nextTurn).then(job);
    tail = run.catch(() => undefined);
    return run;
  };
  const turnEach = <R>(job: () => Promise<R>): Promise<R> => nextTurn().then(job);
  const queued = statementsAfterATurn(pglite, inTurn);
  return new Proxy(queued, {
    get(object, property, receiver) {
      if (property !== 'transaction') return Reflect.get(object, property, receiver);
      return <R>(callback: (tx: Transaction) => Promise<R>) =>
        inTurn(() => pglite.transaction((tx) => callback(statementsAfterATurn(tx, turnEach))));
    },
  });
}
