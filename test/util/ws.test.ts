// The RFC 6455 codec and client: hand-built frames (fragments, control frames
// between fragments, oversized, bad opcode, masking both ways round), the
// handshake check, ping/pong and the close handshake over a real socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CLOSE, FrameReader, OPCODES, WsError, closePayload, encodeFrame, acceptKey } from '../../src/util/ws/frame.js';
import { connectWebSocket } from '../../src/util/ws/client.js';
import { acceptWebSocket } from '../../src/util/ws/server.js';
import type { WebSocketConnection, WsCloseInfo } from '../../src/util/ws/connection.js';

const clientReader = (max = 1000) => new FrameReader({ role: 'client', maxMessageBytes: max });
const serverReader = (max = 1000) => new FrameReader({ role: 'server', maxMessageBytes: max });
const MASK = Buffer.from([1, 2, 3, 4]);

function throwsWs(fn: () => unknown, kind: string, code: number): void {
  assert.throws(fn, (e: unknown) => e instanceof WsError && e.kind === kind && e.closeCode === code);
}

test('RFC 6455 §5.7 examples: unmasked and masked "Hello", fragmented, ping', () => {
  assert.deepEqual(clientReader().push(Buffer.from([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])), [{ type: 'text', data: 'Hello' }]);
  const masked = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
  assert.deepEqual(serverReader().push(masked), [{ type: 'text', data: 'Hello' }]);
  assert.deepEqual(encodeFrame(OPCODES.text, 'Hello', { mask: Buffer.from([0x37, 0xfa, 0x21, 0x3d]) }), masked);
  const r = clientReader();
  assert.deepEqual(r.push(Buffer.from([0x01, 0x03, 0x48, 0x65, 0x6c])), []);
  assert.deepEqual(r.push(Buffer.from([0x80, 0x02, 0x6c, 0x6f])), [{ type: 'text', data: 'Hello' }]);
  assert.deepEqual(clientReader().push(Buffer.from([0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])), [{ type: 'ping', data: Buffer.from('Hello') }]);
});

test('control frames between fragments are delivered at once; the message after its last fragment', () => {
  const bytes = Buffer.concat([
    encodeFrame(OPCODES.text, 'ab', { fin: false }),
    encodeFrame(OPCODES.ping, 'p'),
    encodeFrame(OPCODES.continuation, 'cd', { fin: false }),
    encodeFrame(OPCODES.pong, 'q'),
    encodeFrame(OPCODES.continuation, 'ef'),
  ]);
  const r = clientReader();
  // byte by byte: partial headers and payloads wait for the rest
  const events = [...bytes].flatMap((b) => r.push(Buffer.from([b])));
  assert.deepEqual(events, [
    { type: 'ping', data: Buffer.from('p') },
    { type: 'pong', data: Buffer.from('q') },
    { type: 'text', data: 'abcdef' },
  ]);
});

test('16- and 64-bit lengths, binary messages, masked client frames round-trip', () => {
  const big = Buffer.alloc(70_000, 7);
  const r = serverReader(100_000);
  assert.deepEqual(r.push(encodeFrame(OPCODES.binary, big, { mask: MASK })), [{ type: 'binary', data: big }]);
  const mid = 'x'.repeat(300);
  assert.deepEqual(clientReader().push(encodeFrame(OPCODES.text, mid)), [{ type: 'text', data: mid }]);
});

test('malformed frames are typed errors with the close code to send', () => {
  throwsWs(() => clientReader().push(Buffer.from([0x83, 0x00])), 'protocol', CLOSE.protocolError); // opcode 3
  throwsWs(() => clientReader().push(Buffer.from([0x8b, 0x00])), 'protocol', CLOSE.protocolError); // opcode 0xB
  throwsWs(() => clientReader().push(Buffer.from([0xc1, 0x00])), 'protocol', CLOSE.protocolError); // RSV1
  throwsWs(() => clientReader().push(Buffer.from([0x80, 0x00])), 'protocol', CLOSE.protocolError); // continuation first
  throwsWs(() => clientReader().push(Buffer.from([0x09, 0x00])), 'protocol', CLOSE.protocolError); // fragmented ping
  throwsWs(() => clientReader().push(Buffer.from([0x89, 0x7e, 0x00, 0x7e])), 'protocol', CLOSE.protocolError); // long ping
  throwsWs(() => clientReader().push(Buffer.concat([encodeFrame(OPCODES.text, 'a', { fin: false }), encodeFrame(OPCODES.text, 'b')])), 'protocol', CLOSE.protocolError);
  throwsWs(() => clientReader().push(Buffer.from([0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1])), 'protocol', CLOSE.protocolError); // 64-bit MSB
  throwsWs(() => clientReader().push(Buffer.from([0x81, 0x02, 0xc3, 0x28])), 'bad_data', CLOSE.invalidData); // bad UTF-8
  throwsWs(() => clientReader().push(encodeFrame(OPCODES.close, Buffer.from([3]))), 'protocol', CLOSE.protocolError);
  throwsWs(() => clientReader().push(encodeFrame(OPCODES.close, closePayload(1005))), 'protocol', CLOSE.protocolError);
});

test('masking: unmasked from the server is right, masked from the server is an error; the server requires masks', () => {
  assert.deepEqual(clientReader().push(encodeFrame(OPCODES.text, 'ok')), [{ type: 'text', data: 'ok' }]);
  throwsWs(() => clientReader().push(encodeFrame(OPCODES.text, 'no', { mask: MASK })), 'protocol', CLOSE.protocolError);
  throwsWs(() => serverReader().push(encodeFrame(OPCODES.text, 'no')), 'protocol', CLOSE.protocolError);
});

test('oversized: refused on the header (before the payload arrives), also across fragments', () => {
  throwsWs(() => clientReader(10).push(Buffer.from([0x81, 0x7f, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff])), 'too_big', CLOSE.tooBig);
  const r = clientReader(10);
  r.push(encodeFrame(OPCODES.text, '123456', { fin: false }));
  throwsWs(() => r.push(encodeFrame(OPCODES.continuation, '789012')), 'too_big', CLOSE.tooBig);
  assert.deepEqual(clientReader(10).push(encodeFrame(OPCODES.text, '1234567890')), [{ type: 'text', data: '1234567890' }]);
});

test('close frames: code and reason', () => {
  assert.deepEqual(clientReader().push(encodeFrame(OPCODES.close, closePayload(4001, 'bye'))), [{ type: 'close', code: 4001, reason: 'bye' }]);
  assert.deepEqual(clientReader().push(encodeFrame(OPCODES.close, Buffer.alloc(0))), [{ type: 'close', code: CLOSE.noStatus, reason: '' }]);
});

/** A test server: its own accepted connections, or a raw socket handler for hand-made answers. */
async function server(onConn: (c: WebSocketConnection) => void, raw?: (socket: net.Socket, key: string) => void) {
  const srv = http.createServer((_req, res) => res.writeHead(404).end());
  srv.on('upgrade', (req, socket, head) => {
    if (raw) return raw(socket as net.Socket, String(req.headers['sec-websocket-key']));
    const c = acceptWebSocket(req, socket, head);
    if (c) onConn(c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/v2`,
    close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
  };
}

const closed = (c: WebSocketConnection, onText?: (t: string) => void) => new Promise<WsCloseInfo>((resolve) => c.on({ onText, onClose: resolve }));

test('ws:// end to end: echo, ping answered with pong, client-initiated close handshake', async () => {
  const serverSide: WsCloseInfo[] = [];
  const srv = await server((c) => c.on({ onText: (t) => c.send(`echo:${t}`), onClose: (i) => serverSide.push(i) }));
  try {
    const ws = await connectWebSocket(srv.url);
    const texts: string[] = [];
    const pong = new Promise<Buffer>((resolve) => ws.on({ onText: (t) => texts.push(t), onPong: resolve }));
    ws.send('hi');
    ws.ping(Buffer.from('x'));
    assert.deepEqual(await pong, Buffer.from('x'));
    const end = new Promise<WsCloseInfo>((resolve) => ws.on({ onText: (t) => texts.push(t), onClose: resolve }));
    ws.close(1000, 'done');
    const info = await end;
    assert.equal(info.code, 1000);
    assert.equal(info.error, null);
    assert.equal(info.byPeer, true);
    assert.deepEqual(texts, ['echo:hi']);
  } finally {
    await srv.close();
  }
  assert.equal(serverSide[0]?.code, 1000);
});

test('server-initiated close: the client echoes it and reports code and reason', async () => {
  const srv = await server((c) => c.close(4000, 'maintenance'));
  try {
    const info = await closed(await connectWebSocket(srv.url));
    assert.equal(info.code, 4000);
    assert.equal(info.reason, 'maintenance');
    assert.equal(info.byPeer, true);
  } finally {
    await srv.close();
  }
});

test('a malformed or oversized frame from the server closes the client with the reason, no throw', async () => {
  for (const [bytes, code, kind] of [
    [Buffer.from([0x83, 0x00]), CLOSE.protocolError, 'protocol'],
    [encodeFrame(OPCODES.text, 'x'.repeat(200)), CLOSE.tooBig, 'too_big'],
    [encodeFrame(OPCODES.text, 'masked', { mask: MASK }), CLOSE.protocolError, 'protocol'],
  ] as const) {
    const srv = await server((c) => c.sendRaw(bytes));
    try {
      const ws = await connectWebSocket(srv.url, { maxMessageBytes: 100 });
      const info = await closed(ws);
      assert.equal(info.code, code);
      assert.equal(info.error?.kind, kind);
      assert.ok(info.reason.length > 0);
    } finally {
      await srv.close();
    }
  }
});

test('handshake: a wrong Sec-WebSocket-Accept, a plain HTTP answer and a bad scheme are WsError(handshake)', async () => {
  const bad = await server(() => undefined, (s) => s.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n'));
  try {
    await assert.rejects(connectWebSocket(bad.url), (e: unknown) => e instanceof WsError && e.kind === 'handshake' && /Accept/.test(e.message));
  } finally {
    await bad.close();
  }
  const good = await server(() => undefined, (s, key) => s.on('end', () => s.end()).write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`));
  try {
    const ws = await connectWebSocket(good.url);
    assert.ok(ws.isOpen);
    ws.terminate();
  } finally {
    await good.close();
  }
  const plain = http.createServer((_q, r) => r.writeHead(403).end('no'));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (plain.address() as AddressInfo).port;
    await assert.rejects(connectWebSocket(`ws://127.0.0.1:${port}/`), (e: unknown) => e instanceof WsError && e.kind === 'handshake' && /403/.test(e.message));
  } finally {
    plain.close();
  }
  await assert.rejects(connectWebSocket('http://127.0.0.1:1/'), (e: unknown) => e instanceof WsError && e.kind === 'handshake');
});
