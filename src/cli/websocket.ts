/**
 * A small WebSocket client (RFC 6455) over `node:http` upgrade — enough for the inspector's
 * Chrome DevTools Protocol endpoint: masked text frames out; text/binary messages in, fragmented
 * or not, up to 256 MiB; ping/pong; close. No extensions, no subprotocols.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Messages larger than this close the connection. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** A FIFO of received bytes that copies each byte once when taking. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private offset = 0;
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first `n` bytes, without consuming them (n is small: frame headers). */
  peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    const out = Buffer.allocUnsafe(n);
    this.copyOut(out, false);
    return out;
  }

  take(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.consume(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    this.copyOut(out, true);
    return out;
  }

  private copyOut(out: Buffer, consume: boolean): void {
    let written = 0;
    let index = 0;
    let offset = this.offset;
    while (written < out.length) {
      const chunk = this.chunks[index] as Buffer;
      const count = Math.min(chunk.length - offset, out.length - written);
      chunk.copy(out, written, offset, offset + count);
      written += count;
      offset += count;
      if (offset === chunk.length) {
        index++;
        offset = 0;
      }
    }
    if (consume) this.consume(out.length);
  }

  private consume(n: number): void {
    this.length -= n;
    let left = n;
    while (left > 0) {
      const first = this.chunks[0] as Buffer;
      const available = first.length - this.offset;
      if (available > left) {
        this.offset += left;
        return;
      }
      left -= available;
      this.chunks.shift();
      this.offset = 0;
    }
  }
}

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerLength + 4 + length);
  out[0] = 0x80 | opcode;
  if (length < 126) out[1] = 0x80 | length;
  else if (length < 0x10000) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, headerLength);
  const start = headerLength + 4;
  for (let i = 0; i < length; i++) out[start + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return out;
}

/** An open WebSocket connection. */
export class WebSocketClient {
  /** Called with each complete message, decoded as UTF-8. */
  onmessage: (text: string) => void = () => {};
  /** Called once when the connection ends; `error` is null for a clean close. */
  onclose: (error: Error | null) => void = () => {};

  private readonly queue = new ByteQueue();
  private fragments: Buffer[] = [];
  private fragmentsLength = 0;
  private closeSent = false;
  private ended = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      try {
        this.parse();
      } catch (error) {
        this.fail(error as Error);
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.end(null));
  }

  /** Opens a connection to `url` (`ws://host:port/path`). */
  static connect(url: string, timeoutMs: number): Promise<WebSocketClient> {
    return new Promise((resolve, reject) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        reject(new Error(`invalid WebSocket URL ${JSON.stringify(url)}`));
        return;
      }
      if (parsed.protocol !== 'ws:') {
        reject(new Error(`unsupported WebSocket URL ${JSON.stringify(url)} (only ws:)`));
        return;
      }
      const key = randomBytes(16).toString('base64');
      const req = request({
        host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port === '' ? 80 : Number(parsed.port),
        path: `${parsed.pathname}${parsed.search}`,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': key,
          'Sec-WebSocket-Version': '13',
        },
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`WebSocket handshake with ${url} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      req.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.once('response', (res) => {
        clearTimeout(timer);
        res.resume();
        req.destroy();
        reject(new Error(`WebSocket handshake with ${url} failed: HTTP ${res.statusCode}`));
      });
      req.once('upgrade', (res, socket, head) => {
        clearTimeout(timer);
        const expected = createHash('sha1').update(key + GUID).digest('base64');
        if (res.headers['sec-websocket-accept'] !== expected) {
          socket.destroy();
          reject(new Error(`WebSocket handshake with ${url} failed: bad Sec-WebSocket-Accept`));
          return;
        }
        socket.setNoDelay(true);
        const client = new WebSocketClient(socket);
        if (head.length > 0) socket.unshift(head);
        resolve(client);
      });
      req.end();
    });
  }

  /** Sends one text message. */
  send(text: string): void {
    if (this.ended || this.closeSent) throw new Error('WebSocket is closed');
    this.socket.write(frame(OP_TEXT, Buffer.from(text, 'utf8')));
  }

  /** Starts a clean close; the socket is destroyed when the peer answers or after `timeoutMs`. */
  close(timeoutMs = 1000): void {
    if (this.ended) return;
    if (!this.closeSent) {
      this.closeSent = true;
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(1000, 0);
      this.socket.write(frame(OP_CLOSE, payload));
    }
    setTimeout(() => this.socket.destroy(), timeoutMs).unref();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.socket.destroy();
    this.end(error);
  }

  private end(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.onclose(error);
  }

  private parse(): void {
    while (!this.ended && this.queue.length >= 2) {
      const head = this.queue.peek(2);
      const b0 = head[0] as number;
      const b1 = head[1] as number;
      if ((b0 & 0x70) !== 0) throw new Error('WebSocket protocol error: reserved bits set');
      if ((b1 & 0x80) !== 0) throw new Error('WebSocket protocol error: masked frame from the server');
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      let length = b1 & 0x7f;
      let headerLength = 2;
      if (length === 126) {
        if (this.queue.length < 4) return;
        length = this.queue.peek(4).readUInt16BE(2);
        headerLength = 4;
      } else if (length === 127) {
        if (this.queue.length < 10) return;
        const big = this.queue.peek(10).readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE_BYTES)) throw new Error(`WebSocket message larger than ${MAX_MESSAGE_BYTES} bytes`);
        length = Number(big);
        headerLength = 10;
      }
      if (opcode >= 0x8 && (length > 125 || !fin)) throw new Error('WebSocket protocol error: bad control frame');
      if (this.fragmentsLength + length > MAX_MESSAGE_BYTES) throw new Error(`WebSocket message larger than ${MAX_MESSAGE_BYTES} bytes`);
      if (this.queue.length < headerLength + length) return;
      this.queue.take(headerLength);
      const payload = this.queue.take(length);
      this.handle(opcode, fin, payload);
    }
  }

  private handle(opcode: number, fin: boolean, payload: Buffer): void {
    switch (opcode) {
      case OP_TEXT:
      case OP_BINARY:
      case OP_CONTINUATION: {
        const continuing = this.fragments.length > 0;
        if (opcode === OP_CONTINUATION ? !continuing : continuing) {
          throw new Error('WebSocket protocol error: unexpected continuation frame');
        }
        if (fin && !continuing) {
          this.onmessage(payload.toString('utf8'));
          return;
        }
        this.fragments.push(payload);
        this.fragmentsLength += payload.length;
        if (fin) {
          const message = Buffer.concat(this.fragments, this.fragmentsLength);
          this.fragments = [];
          this.fragmentsLength = 0;
          this.onmessage(message.toString('utf8'));
        }
        return;
      }
      case OP_PING:
        if (!this.closeSent) this.socket.write(frame(OP_PONG, payload));
        return;
      case OP_PONG:
        return;
      case OP_CLOSE:
        if (!this.closeSent) {
          this.closeSent = true;
          this.socket.write(frame(OP_CLOSE, payload.subarray(0, 2)));
        }
        this.socket.end();
        this.end(null);
        return;
      default:
        throw new Error(`WebSocket protocol error: unknown opcode ${opcode}`);
    }
  }
}
