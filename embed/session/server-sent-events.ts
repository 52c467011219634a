// GraphQL over Server-Sent Events as yoga serves it: `event: next` with a JSON `data:` line per
// result, `event: complete` at the end, and comment lines (`:`) that only keep the connection open.
// Read from a fetch body: EventSource cannot send the Authorization header a session needs.

export interface ServerSentEvent {
  event: string;
  data: string;
}

/** Each event of the stream as it arrives; ends when the stream does. */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  let buffer = '';
  // A reader rather than `for await`: Safari's streams are not async-iterable yet.
  const reader = body.getReader();
  const decoder = new TextDecoder();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffer += decoder.decode(read.value, { stream: true }).replaceAll('\r\n', '\n');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split('\n').filter((line) => !line.startsWith(':'));
      const field = (name: string) =>
        lines
          .filter((line) => line.startsWith(`${name}:`))
          .map((line) => line.slice(name.length + 1).replace(/^ /, ''))
          .join('\n');
      if (lines.length > 0) yield { event: field('event') || 'message', data: field('data') };
    }
  }
}
