/** Newline-framed text over a TCP socket: the simplest protocol, for examples and tests. */
import type { Socket } from './tcp/socket.js';

const decoder = new TextDecoder();

export class LineReader {
  private buffered = '';

  constructor(private readonly socket: Socket) {}

  /** The next line without its '\n', or null at the end of the stream. Rejects with the socket's error. */
  async next(): Promise<string | null> {
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        return line;
      }
      const chunk = await this.socket.read();
      if (chunk === null) {
        if (this.buffered.length === 0) return null;
        const rest = this.buffered;
        this.buffered = '';
        return rest;
      }
      this.buffered += decoder.decode(chunk, { stream: true });
    }
  }
}
