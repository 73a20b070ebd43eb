// Echo server on the npm `ws` package (WebSocketServer).
//
// Usage: node ws-echo.mjs [PORT]   (default 0: a free port)
// `ws` is loaded from build/npm/node_modules (ci/setup installs it there), or
// from $WS_NODE_MODULES if set. Listens on 127.0.0.1 only. Prints "version X"
// and then "listening on ws://127.0.0.1:PORT/" once it accepts connections.
// Echoes every text and binary message. Library defaults otherwise, except:
// permessage-deflate on (off by default on the server side) with threshold 0,
// so that every message is sent compressed, not only those of 1 KiB or more;
// and maxPayload raised to 32 MiB so 16 MiB messages fit.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.WS_NODE_MODULES ?? path.join(here, '..', '..', 'build', 'npm', 'node_modules');
// ES module imports ignore NODE_PATH: resolve through require() from there.
const require = createRequire(path.join(modules, 'noop.js'));
const { WebSocketServer } = require('ws');
const version = require('ws/package.json').version;

const port = Number(process.argv[2] ?? 0);
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  perMessageDeflate: { threshold: 0 },
  maxPayload: 2 ** 25,
});

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});  // protocol errors close the socket; nothing to log
});

wss.on('listening', () => {
  console.log(`version ${version}`);
  console.log(`listening on ws://127.0.0.1:${wss.address().port}/`);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
