// A GraphQL subscription over server-sent events (GraphQL over SSE, as yoga serves it), read one
// message at a time: what a browser's EventSource sees, for the tests that follow a stream.
import type { TestServer } from './server.ts';

export interface EventStreamMessage {
  event: string;
  data: unknown;
}

/** Opens the stream of `query`; `next()` gives its next message, null once the stream ended. */
export async function openEventStream(
  server: TestServer,
  headers: Record<string, string>,
  body: { query: string; variables?: Record<string, unknown> },
) {
  const controller = new AbortController();
  const response = await server.fetch('/graphql', {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  // A read still pending when `next` gave up waiting: the next call takes its chunk.
  let reading: Promise<ReadableStreamReadResult<string> | undefined> | null = null;
  /** The next message; null once the stream ended, or when none came within `timeoutMs`. */
  async function next(timeoutMs = Number.POSITIVE_INFINITY): Promise<EventStreamMessage | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) return { event, data: data ? JSON.parse(data) : null };
        continue;
      }
      reading ??= reader?.read() ?? Promise.resolve(undefined);
      const chunk = Number.isFinite(timeoutMs)
        ? await Promise.race([
            reading,
            new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()))),
          ])
        : await reading;
      if (chunk === 'late') return null;
      reading = null;
      if (!chunk || chunk.done) return null;
      buffer += chunk.value;
    }
  }
  return { response, next, close: () => controller.abort() };
}
