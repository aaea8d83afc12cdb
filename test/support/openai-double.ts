// A local OpenAI-compatible chat-completions double on node:http (127.0.0.1,
// random port). Each request takes the next scripted reply: content,
// reasoning_content, garbage, an HTTP error, or a hang (for timeouts).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ScriptedReply =
  | { content: string | null; reasoning_content?: string }
  | { status: number; body?: string }
  | { raw: string }
  | { hang: true };

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export class OpenAiDouble {
  url = '';
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptedReply[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();

  private constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(): Promise<OpenAiDouble> {
    const d = new OpenAiDouble();
    await new Promise<void>((resolve) => d.server.listen(0, '127.0.0.1', resolve));
    d.url = `http://127.0.0.1:${(d.server.address() as AddressInfo).port}/v1/chat/completions`;
    return d;
  }

  /** Replies for the next requests, in order. With none left: a plain "continue" answer. */
  enqueue(...replies: ScriptedReply[]): void {
    this.script.push(...replies);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: any = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = null;
      }
      this.requests.push({ path: req.url ?? '', headers: req.headers, body });
      const reply = this.script.shift() ?? { content: 'CONDITION: ranging\nACTION: continue\nREASON: nothing to change' };
      if ('hang' in reply) return; // never answers; the client must time out
      if ('raw' in reply) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(reply.raw);
        return;
      }
      if ('status' in reply) {
        res.writeHead(reply.status, { 'Content-Type': 'application/json' });
        res.end(reply.body ?? JSON.stringify({ error: { message: 'internal error', type: 'server_error' } }));
        return;
      }
      const message: Record<string, unknown> = { role: 'assistant', content: reply.content };
      if (reply.reasoning_content !== undefined) message.reasoning_content = reply.reasoning_content;
      const text = JSON.stringify({
        id: 'chatcmpl-test',
        object: 'chat.completion',
        model: body?.model ?? 'x',
        choices: [{ index: 0, message, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
      });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(text);
    });
  }
}
