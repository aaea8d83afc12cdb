// RFC 6455 frame codec, shared by the WebSocket client (Kraken's streams) and
// the server side (the simulator). No dependency: node:crypto for the masks.
//
// Reading: `FrameReader.push(bytes)` returns the complete events so far
// (messages reassembled from fragments, control frames in between) and throws
// `WsError('protocol' | 'too_big' | 'bad_data', …, closeCode)` on anything
// malformed: reserved bits, unknown opcodes, fragmented or long control
// frames, a continuation without a start, a new message inside a fragmented
// one, masking the wrong way round for the role (RFC 6455 §5.1: clients mask,
// servers never do), 64-bit lengths with the top bit set, invalid UTF-8 text,
// a message over the size limit (checked on the header, before buffering).
import crypto from 'node:crypto';

export const OPCODES = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes used here (RFC 6455 §7.4.1). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupported: 1003,
  noStatus: 1005,
  abnormal: 1006,
  invalidData: 1007,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
} as const;

export type WsErrorKind = 'handshake' | 'protocol' | 'too_big' | 'bad_data' | 'network' | 'timeout' | 'closed';

/** Everything that can go wrong with a WebSocket, typed; `closeCode` is the code we close with (protocol faults). */
export class WsError extends Error {
  constructor(
    readonly kind: WsErrorKind,
    message: string,
    readonly closeCode: number = CLOSE.protocolError,
  ) {
    super(message);
    this.name = 'WsError';
  }
}

export type WsEvent =
  | { type: 'text'; data: string }
  | { type: 'binary'; data: Buffer }
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  | { type: 'close'; code: number; reason: string };

export interface FrameOptions {
  fin?: boolean;
  /** Client frames carry a mask (a random one unless given); server frames never do. */
  mask?: boolean | Buffer;
  rsv?: number;
}

/** One frame on the wire. */
export function encodeFrame(opcode: number, payload: Buffer | string, opts: FrameOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const fin = opts.fin ?? true;
  const maskKey = opts.mask === true ? crypto.randomBytes(4) : Buffer.isBuffer(opts.mask) ? opts.mask : null;
  const len = data.length;
  const extra = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + extra + (maskKey ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opcode & 0x0f);
  head[1] = (maskKey ? 0x80 : 0) | (extra === 0 ? len : extra === 2 ? 126 : 127);
  if (extra === 2) head.writeUInt16BE(len, 2);
  else if (extra === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!maskKey) return Buffer.concat([head, data]);
  maskKey.copy(head, 2 + extra);
  const body = Buffer.from(data);
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ maskKey[i & 3]!;
  return Buffer.concat([head, body]);
}

/** The payload of a close frame: code + UTF-8 reason (at most 123 bytes). */
export function closePayload(code: number, reason = ''): Buffer {
  const r = Buffer.from(reason, 'utf8').subarray(0, 123);
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

/** Codes a peer may send in a close frame (RFC 6455 §7.4). */
export function validCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw new WsError('bad_data', 'text message is not valid UTF-8', CLOSE.invalidData);
  }
}

function parseClose(p: Buffer): { code: number; reason: string } {
  if (p.length === 0) return { code: CLOSE.noStatus, reason: '' };
  if (p.length === 1) throw new WsError('protocol', 'close frame with a 1-byte payload');
  const code = p.readUInt16BE(0);
  if (!validCloseCode(code)) throw new WsError('protocol', `invalid close code ${code}`);
  return { code, reason: decodeText(p.subarray(2)) };
}

export interface ReaderOptions {
  /** 'client' reads server frames (must be unmasked); 'server' reads client frames (must be masked). */
  role: 'client' | 'server';
  /** Largest message (after reassembly) accepted; larger: WsError 'too_big' (close 1009). */
  maxMessageBytes: number;
}

interface Header {
  fin: boolean;
  opcode: number;
  masked: boolean;
  length: number;
  headerBytes: number;
}

/** Incremental reader of one connection's byte stream. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentOpcode: number | null = null;

  constructor(private readonly opts: ReaderOptions) {}

  push(chunk: Buffer): WsEvent[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: WsEvent[] = [];
    for (;;) {
      const h = this.header();
      if (!h) break;
      if (this.buf.length < h.headerBytes + h.length) break;
      let payload = this.buf.subarray(h.headerBytes, h.headerBytes + h.length);
      if (h.masked) {
        const key = this.buf.subarray(h.headerBytes - 4, h.headerBytes);
        payload = Buffer.from(payload);
        for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i & 3]!;
      }
      this.buf = this.buf.subarray(h.headerBytes + h.length);
      const ev = this.frame(h, payload);
      if (ev) out.push(ev);
    }
    return out;
  }

  /** The next frame's header once it is all here (validated), or null. */
  private header(): Header | null {
    const b = this.buf;
    if (b.length < 2) return null;
    const b0 = b[0]!;
    const b1 = b[1]!;
    if (b0 & 0x70) throw new WsError('protocol', 'reserved bits set (no extension was negotiated)');
    const opcode = b0 & 0x0f;
    if (!Object.values(OPCODES).includes(opcode as never)) throw new WsError('protocol', `unknown opcode 0x${opcode.toString(16)}`);
    const fin = (b0 & 0x80) !== 0;
    const masked = (b1 & 0x80) !== 0;
    if (this.opts.role === 'client' && masked) throw new WsError('protocol', 'the server sent a masked frame');
    if (this.opts.role === 'server' && !masked) throw new WsError('protocol', 'the client sent an unmasked frame');
    const control = opcode >= 0x8;
    let length = b1 & 0x7f;
    let headerBytes = 2;
    if (control && (!fin || length > 125)) throw new WsError('protocol', 'control frames must be final and at most 125 bytes');
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      headerBytes = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      const big = b.readBigUInt64BE(2);
      if (big >> 63n) throw new WsError('protocol', 'frame length has its most significant bit set');
      length = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
      headerBytes = 10;
    }
    if (masked) headerBytes += 4;
    if (!control && this.fragmentBytes + length > this.opts.maxMessageBytes) {
      throw new WsError('too_big', `message over ${this.opts.maxMessageBytes} bytes`, CLOSE.tooBig);
    }
    if (b.length < headerBytes) return null;
    return { fin, opcode, masked, length, headerBytes };
  }

  private frame(h: Header, payload: Buffer): WsEvent | null {
    switch (h.opcode) {
      case OPCODES.ping:
        return { type: 'ping', data: Buffer.from(payload) };
      case OPCODES.pong:
        return { type: 'pong', data: Buffer.from(payload) };
      case OPCODES.close:
        return { type: 'close', ...parseClose(payload) };
      case OPCODES.continuation:
        if (this.fragmentOpcode === null) throw new WsError('protocol', 'continuation frame without a message to continue');
        break;
      default:
        if (this.fragmentOpcode !== null) throw new WsError('protocol', 'new message started inside a fragmented one');
        this.fragmentOpcode = h.opcode;
    }
    this.fragments.push(Buffer.from(payload));
    this.fragmentBytes += payload.length;
    if (!h.fin) return null;
    const whole = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
    const op = this.fragmentOpcode;
    this.fragments = [];
    this.fragmentBytes = 0;
    this.fragmentOpcode = null;
    return op === OPCODES.text ? { type: 'text', data: decodeText(whole) } : { type: 'binary', data: whole };
  }
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}
