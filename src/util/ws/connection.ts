// One open WebSocket over a socket, for either role (client.ts opens one,
// server.ts accepts one). Answers pings, runs the close handshake, turns any
// protocol fault into a close with the right code and a typed error, and
// reports its end exactly once through `onClose`.
import type { Duplex } from 'node:stream';
import { CLOSE, FrameReader, OPCODES, WsError, closePayload, encodeFrame, type WsEvent } from './frame.js';

/** How long we wait for the peer's close frame after sending ours before dropping the socket. */
const CLOSE_WAIT_MS = 2_000;

export interface WsCloseInfo {
  code: number;
  reason: string;
  /** Set when the connection ended on a fault (protocol, size, network) rather than a close handshake. */
  error: WsError | null;
  /** True when the peer sent a close frame. */
  byPeer: boolean;
}

export interface WsHandlers {
  onText?: (text: string) => void;
  onBinary?: (data: Buffer) => void;
  onPong?: (data: Buffer) => void;
  onClose?: (info: WsCloseInfo) => void;
}

export class WebSocketConnection {
  private readonly reader: FrameReader;
  private handlers: WsHandlers = {};
  private closeSent = false;
  private ended = false;
  private closeTimer: NodeJS.Timeout | null = null;
  /** Frames read before handlers were attached (the handshake's leftover bytes). */
  private early: WsEvent[] = [];
  private attached = false;
  /** The end, when it came before handlers were attached. */
  private pendingEnd: WsCloseInfo | null = null;

  constructor(
    readonly socket: Duplex,
    readonly role: 'client' | 'server',
    maxMessageBytes: number,
    head?: Buffer,
  ) {
    this.reader = new FrameReader({ role, maxMessageBytes });
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (err: Error) => this.end(CLOSE.abnormal, err.message, new WsError('network', err.message, CLOSE.abnormal), false));
    // http.Server sockets are half-open capable: the peer's FIN alone ends nothing unless we answer it.
    socket.on('end', () => this.end(CLOSE.abnormal, 'connection lost', this.closeSent ? null : new WsError('network', 'connection lost', CLOSE.abnormal), false));
    socket.on('close', () => this.end(CLOSE.abnormal, 'connection lost', this.closeSent ? null : new WsError('network', 'connection lost', CLOSE.abnormal), false));
    if (head && head.length > 0) this.read(head);
  }

  /** Attaches the handlers (events that arrived before are delivered now). */
  on(handlers: WsHandlers): this {
    this.handlers = handlers;
    this.attached = true;
    const early = this.early;
    this.early = [];
    for (const ev of early) this.dispatch(ev);
    if (this.pendingEnd) handlers.onClose?.(this.pendingEnd);
    this.pendingEnd = null;
    return this;
  }

  get isOpen(): boolean {
    return !this.ended && !this.closeSent;
  }

  send(text: string): void {
    this.write(OPCODES.text, Buffer.from(text, 'utf8'));
  }

  sendBinary(data: Buffer): void {
    this.write(OPCODES.binary, data);
  }

  ping(data: Buffer = Buffer.alloc(0)): void {
    this.write(OPCODES.ping, data);
  }

  /** Raw bytes as they are (the simulator's malformed-frame fault). */
  sendRaw(bytes: Buffer): void {
    if (!this.ended) this.socket.write(bytes);
  }

  /** Starts the close handshake; the socket is dropped if the peer does not answer in time. */
  close(code: number = CLOSE.normal, reason = ''): void {
    if (this.ended || this.closeSent) return;
    this.closeSent = true;
    this.socket.write(this.frame(OPCODES.close, closePayload(code, reason)));
    if (this.role === 'server') this.socket.end();
    this.closeTimer = setTimeout(() => this.end(code, reason, null, false), CLOSE_WAIT_MS);
    this.closeTimer.unref?.();
  }

  /** Drops the connection without a close handshake. */
  terminate(reason = 'terminated'): void {
    this.end(CLOSE.abnormal, reason, null, false);
  }

  private frame(opcode: number, payload: Buffer): Buffer {
    return encodeFrame(opcode, payload, { mask: this.role === 'client' });
  }

  private write(opcode: number, payload: Buffer): void {
    if (!this.isOpen) throw new WsError('closed', 'the WebSocket is closed', CLOSE.abnormal);
    this.socket.write(this.frame(opcode, payload));
  }

  private read(chunk: Buffer): void {
    if (this.ended) return;
    let events: WsEvent[];
    try {
      events = this.reader.push(chunk);
    } catch (err) {
      const e = err instanceof WsError ? err : new WsError('protocol', String(err));
      this.fail(e);
      return;
    }
    for (const ev of events) {
      if (this.ended) return;
      if (this.attached || ev.type === 'ping' || ev.type === 'close') this.dispatch(ev);
      else this.early.push(ev);
    }
  }

  private dispatch(ev: WsEvent): void {
    switch (ev.type) {
      case 'text':
        this.handlers.onText?.(ev.data);
        return;
      case 'binary':
        this.handlers.onBinary?.(ev.data);
        return;
      case 'ping':
        if (this.isOpen) this.socket.write(this.frame(OPCODES.pong, ev.data));
        return;
      case 'pong':
        this.handlers.onPong?.(ev.data);
        return;
      case 'close':
        if (!this.closeSent) {
          this.closeSent = true;
          const echo = ev.code === CLOSE.noStatus ? Buffer.alloc(0) : closePayload(ev.code);
          this.socket.write(this.frame(OPCODES.close, echo));
        }
        this.end(ev.code, ev.reason, null, true);
    }
  }

  /** A protocol fault: close with its code and reason, then drop the socket. */
  private fail(e: WsError): void {
    if (!this.closeSent && !this.ended) {
      this.closeSent = true;
      try {
        this.socket.write(this.frame(OPCODES.close, closePayload(e.closeCode, e.message)));
      } catch {
        // the socket may be gone already
      }
    }
    this.end(e.closeCode, e.message, e, false);
  }

  private end(code: number, reason: string, error: WsError | null, byPeer: boolean): void {
    if (this.ended) return;
    this.ended = true;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    if (this.role === 'client' || error || byPeer === false) this.socket.destroy();
    else this.socket.end();
    const info = { code, reason, error, byPeer };
    // Handlers attached later still hear the end.
    if (this.attached) this.handlers.onClose?.(info);
    else this.pendingEnd = info;
  }
}
