import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketClient } from '../../src/cli/websocket.js';
import { waitUntil } from './helpers.js';

// A tiny WebSocket server: answers each text message by running a script of raw frames.
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0, length]) : length < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (length >= 126 && length < 0x10000) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else if (length >= 0x10000) {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Decodes the client's (masked) frames; resolves opcode + payload pairs. */
function readClientFrames(socket: Socket, onFrame: (opcode: number, payload: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const masked = ((buffered[1] as number) & 0x80) !== 0;
      assert.equal(masked, true, 'client frames must be masked');
      let length = (buffered[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffered.length < offset + 4 + length) return;
      const mask = buffered.subarray(offset, offset + 4);
      const payload = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i & 3] as number);
      onFrame((buffered[0] as number) & 0x0f, payload);
      buffered = buffered.subarray(offset + 4 + length);
    }
  });
}

describe('WebSocketClient', () => {
  let server: Server;
  let url = '';
  const pongs: string[] = [];

  before(async () => {
    server = createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket: Socket) => {
      const accept = createHash('sha1')
        .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      readClientFrames(socket, (opcode, payload) => {
        if (opcode === 0xa) pongs.push(payload.toString());
        if (opcode === 0x8) {
          socket.end(serverFrame(0x8, payload));
          return;
        }
        if (opcode !== 0x1) return;
        const text = payload.toString();
        if (text === 'echo-fragmented') {
          socket.write(serverFrame(0x1, Buffer.from('frag'), false));
          socket.write(serverFrame(0x9, Buffer.from('mid-ping'))); // a control frame between fragments
          socket.write(serverFrame(0x0, Buffer.from('men'), false));
          socket.write(serverFrame(0x0, Buffer.from('ted ✓'), true));
        } else if (text.startsWith('big ')) {
          const size = Number(text.slice(4));
          const body = Buffer.alloc(size, 'x');
          // Written in small pieces, so the client reassembles it from many chunks.
          const frame = serverFrame(0x1, body);
          for (let i = 0; i < frame.length; i += 16_384) socket.write(frame.subarray(i, i + 16_384));
        } else if (text === 'ping me') {
          socket.write(serverFrame(0x9, Buffer.from('are you there')));
          socket.write(serverFrame(0x1, Buffer.from('pinged')));
        } else if (text === 'masked') {
          socket.write(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 5]));
        } else socket.write(serverFrame(0x1, payload));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/session`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  async function exchange(messages: string[], count: number): Promise<{ client: WebSocketClient; received: string[] }> {
    const client = await WebSocketClient.connect(url, 2000);
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.onmessage = (text) => {
        received.push(text);
        if (received.length === count) resolve();
      };
      client.onclose = (error) => reject(error ?? new Error('closed early'));
      for (const message of messages) client.send(message);
    });
    return { client, received };
  }

  it('sends masked text frames and receives the answers in order', async () => {
    const long = 'é'.repeat(40_000); // needs a 16-bit length
    const { client, received } = await exchange(['hello', long], 2);
    assert.deepEqual(received, ['hello', long]);
    client.destroy();
  });

  it('reassembles fragmented messages, answering a ping in between', async () => {
    const { client, received } = await exchange(['echo-fragmented'], 1);
    assert.deepEqual(received, ['fragmented ✓']);
    await waitUntil('the server got the pong', () => pongs.includes('mid-ping'));
    client.destroy();
  });

  it('receives a large message (64-bit length) delivered in many chunks', async () => {
    const size = 3 * 1024 * 1024 + 7;
    const { client, received } = await exchange([`big ${size}`], 1);
    assert.equal(received[0]?.length, size);
    client.destroy();
  });

  it('answers a ping with a pong carrying the same payload', async () => {
    const { client, received } = await exchange(['ping me'], 1);
    assert.deepEqual(received, ['pinged']);
    await waitUntil('the server got the pong', () => pongs.includes('are you there'));
    client.destroy();
  });

  it('closes cleanly when asked to', async () => {
    const client = await WebSocketClient.connect(url, 2000);
    const closed = new Promise<Error | null>((resolve) => (client.onclose = resolve));
    client.close();
    assert.equal(await closed, null);
  });

  it('fails the connection on a masked frame from the server', async () => {
    const client = await WebSocketClient.connect(url, 2000);
    const closed = new Promise<Error | null>((resolve) => (client.onclose = resolve));
    client.send('masked');
    assert.match(String((await closed)?.message), /masked frame from the server/);
  });

  it('rejects a handshake the server refuses', async () => {
    await assert.rejects(WebSocketClient.connect('ws://127.0.0.1:1/nowhere', 2000), /ECONNREFUSED/);
    const httpUrl = url.replace('/session', '/');
    server.removeAllListeners('upgrade');
    server.on('upgrade', (_req, socket: Socket) => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    await assert.rejects(WebSocketClient.connect(httpUrl, 2000), /handshake .* failed: HTTP 400/);
  });
});
