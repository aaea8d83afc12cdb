// The server side of the RFC 6455 opening handshake, for an http.Server's
// 'upgrade' event (the simulator's WebSocket endpoints). Frames are read and
// written by the same codec as the client's (frame.ts, connection.ts).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketConnection } from './connection.js';
import { acceptKey } from './frame.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './client.js';

/** Answers an upgrade request: a connection on success, null (after an HTTP 400/426 answer) otherwise. */
export function acceptWebSocket(req: http.IncomingMessage, socket: Duplex, head: Buffer, maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES): WebSocketConnection | null {
  const key = req.headers['sec-websocket-key'];
  const refuse = (status: string, extra = '') => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`);
    return null;
  };
  if (req.method !== 'GET' || String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuse('400 Bad Request');
  if (req.headers['sec-websocket-version'] !== '13') return refuse('426 Upgrade Required', 'Sec-WebSocket-Version: 13\r\n');
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) return refuse('400 Bad Request');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' + `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
  );
  return new WebSocketConnection(socket, 'server', maxMessageBytes, head);
}
