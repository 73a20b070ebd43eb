// Drives the echo server with the npm `ws` client.
//
// Usage: NODE_PATH=build/npm/node_modules node node_client.mjs ws://HOST:PORT/
// Prints one line per check, "ok - what" or "not ok - what: why"; the caller
// numbers them into TAP. Exits 1 if any check failed, 2 if `ws` is missing.
import { createRequire } from 'node:module';

// ES module imports ignore NODE_PATH; require() honours it.
const require = createRequire(import.meta.url);
let WebSocket, version;
try {
  WebSocket = require('ws');
  version = require('ws/package.json').version;
} catch (e) {
  console.log(`not ok - npm ws is installed (NODE_PATH=${process.env.NODE_PATH ?? ''}): ${e.message.split('\n')[0]}`);
  process.exit(2);
}

let failures = 0;
let mode = '';
function check(ok, what, why = '') {
  if (ok) {
    console.log(`ok - node ws ${version}${mode}: ${what}`);
  } else {
    failures++;
    console.log(`not ok - node ws ${version}${mode}: ${what}: ${String(why).split('\n')[0]}`);
  }
}

function withTimeout(promise, ms, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)),
  ]);
}

async function run(url, deflate) {
  // Without perMessageDeflate the client offers no extension; with it (every
  // message compressed: threshold 0) the server must accept the offer.
  const ws = new WebSocket(url, { perMessageDeflate: deflate ? { threshold: 0 } : false });
  const closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason, at: Date.now() })));
  await withTimeout(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  }), 5000, 'opening handshake');
  check(true, 'opening handshake accepted');
  const agreed = ws.extensions.startsWith('permessage-deflate');
  check(agreed === deflate, `permessage-deflate ${deflate ? 'agreed' : 'not in use'}`, ws.extensions || '(none)');

  const nextMessage = () => withTimeout(new Promise((resolve) => {
    ws.once('message', (data, isBinary) => resolve({ data, isBinary }));
  }), 10000, 'echo');

  let m;
  ws.send('Hello, wsconform');
  m = await nextMessage();
  check(!m.isBinary && m.data.toString() === 'Hello, wsconform', 'text message echoed', String(m.data).slice(0, 80));

  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  ws.send(binary);
  m = await nextMessage();
  check(m.isBinary && Buffer.compare(m.data, binary) === 0, 'binary message echoed', `${m.data.length} bytes`);

  const big = Buffer.alloc(64 * 1024, 0);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  ws.send(big);
  m = await nextMessage();
  check(m.isBinary && Buffer.compare(m.data, big) === 0, '64 KiB binary message echoed', `${m.data.length} bytes`);

  ws.send('frag', { fin: false });
  ws.send('mented', { fin: true });
  m = await nextMessage();
  check(!m.isBinary && m.data.toString() === 'fragmented', 'fragmented message echoed as one', String(m.data).slice(0, 80));

  const pong = withTimeout(new Promise((resolve) => ws.once('pong', resolve)), 5000, 'pong');
  ws.ping(Buffer.from('ping-payload'));
  const payload = await pong;
  check(payload.toString() === 'ping-payload', 'ping answered by a pong with the same payload', String(payload));

  const started = Date.now();
  ws.close(1000, 'bye');
  const c = await withTimeout(closed, 5000, 'close');
  check(c.code === 1000, 'clean close: server answered with code 1000', `close code ${c.code}`);
  // ws ends its own side once both Close frames are exchanged, so this shows
  // a prompt end of the connection, not which side closed TCP first.
  check(c.at - started < 1000, 'connection ended within 1 s of the closing handshake', `close took ${c.at - started} ms`);
}

const url = process.argv[2];
if (!url) {
  console.error('usage: node_client.mjs ws://HOST:PORT/');
  process.exit(2);
}
for (const deflate of [false, true]) {
  mode = deflate ? ' (permessage-deflate)' : '';
  try {
    await withTimeout(run(url, deflate), 30000, 'conversation');
  } catch (e) {
    check(false, 'conversation completed', e.message);
  }
}
process.exit(failures ? 1 : 0);
