// A minimal JSON-RPC client over stdio for protocol tests: starts the bundled language server, sends
// requests and notifications, and waits for messages by condition (never by sleeping).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Message {
  id?: number;
  method?: string;
  params?: any;
  result?: any;
  error?: any;
}

export class LspTestClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  readonly received: Message[] = [];
  private waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  stderr = '';
  /** How long a request may wait for its answer before the promise rejects. */
  requestTimeoutMs = 20000;
  /** Answers to requests the server sends (workspace/configuration, refreshes); unlisted methods get null. */
  private readonly serverRequestHandlers = new Map<string, (params: any) => unknown>();

  constructor(serverPath: string, options: { env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  static bundledServerPath(): string | null {
    const path = join(__dirname, '..', '..', 'dist', 'server.js');
    return existsSync(path) ? path : null;
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      const message = JSON.parse(body) as Message;
      this.received.push(message);
      if (message.id !== undefined && message.method !== undefined) {
        const handler = this.serverRequestHandlers.get(message.method);
        this.send({ id: message.id, result: handler ? handler(message.params) : null });
      }
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    }
  }

  /** How to answer a request the server sends (by method); the request is also recorded in `received`. */
  onServerRequest(method: string, handler: (params: any) => unknown): void {
    this.serverRequestHandlers.set(method, handler);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Sends several messages in one write, so the server reads them together: requests get ids as in
   * `request`, and the returned promises are their answers (null for notifications).
   */
  sendTogether(messages: Array<{ method: string; params: unknown; notification?: boolean }>): Array<Promise<Message> | null> {
    const framed: Buffer[] = [];
    const replies = messages.map(({ method, params, notification }) => {
      if (notification) {
        framed.push(this.frame({ method, params }));
        return null;
      }
      const id = this.nextId++;
      framed.push(this.frame({ id, method, params }));
      return this.waitFor((m) => m.id === id && m.method === undefined, this.requestTimeoutMs, false);
    });
    this.child.stdin.write(Buffer.concat(framed));
    return replies;
  }

  /** The id the next request will get. */
  get peekNextId(): number {
    return this.nextId;
  }

  private frame(message: object): Buffer {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
  }

  private send(message: object): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    // A reply to a new id cannot have arrived yet: wait without scanning what was received.
    const reply = this.waitFor((m) => m.id === id && m.method === undefined, this.requestTimeoutMs, false);
    this.send({ id, method, params });
    return reply;
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** Resolves with the first message (already received or future) that matches; rejects after timeoutMs. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 20000, scanReceived = true): Promise<Message> {
    const seen = scanReceived ? this.received.find(match) : undefined;
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a message; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** Closes the server's stdin, as a client that dies does. */
  closeInput(): void {
    this.child.stdin.end();
  }

  onExit(listener: () => void): void {
    this.child.once('exit', listener);
  }

  get exited(): boolean {
    return this.child.exitCode !== null;
  }

  async shutdown(): Promise<void> {
    if (this.exited) return;
    await this.request('shutdown', null).catch(() => undefined);
    this.notify('exit', null);
    await new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      const timer = setTimeout(() => {
        this.child.kill();
        resolve();
      }, 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
