// Echo server on the npm `websocket` package (websocket-node, WebSocketServer
// attached to a node:http server).
//
// Usage: node websocket-node-echo.mjs [PORT]   (default 0: a free port)
// The package is loaded from build/npm/node_modules (ci/setup installs it
// there), or from $WS_NODE_MODULES if set. Listens on 127.0.0.1 only. Prints
// "version X" and then "listening on ws://127.0.0.1:PORT/" once it accepts
// connections. Accepts every request whatever its subprotocols and origin and
// echoes every text and binary message. Library defaults otherwise (the
// package has no permessage-deflate), except that maxReceivedFrameSize (64 KiB
// by default) and maxReceivedMessageSize (1 MiB) are raised to 32 MiB so
// 16 MiB messages fit.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.WS_NODE_MODULES ?? path.join(here, '..', '..', 'build', 'npm', 'node_modules');
// ES module imports ignore NODE_PATH: resolve through require() from there.
const require = createRequire(path.join(modules, 'noop.js'));
const { server: WebSocketServer } = require('websocket');
const version = require('websocket/package.json').version;

const port = Number(process.argv[2] ?? 0);
const httpServer = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket endpoint\n');
});
const wss = new WebSocketServer({
  httpServer,
  autoAcceptConnections: false,
  maxReceivedFrameSize: 2 ** 25,
  maxReceivedMessageSize: 2 ** 25,
});

wss.on('request', (request) => {
  const conn = request.accept(null, request.origin);
  conn.on('message', (msg) => {
    if (msg.type === 'utf8') conn.sendUTF(msg.utf8Data);
    else conn.sendBytes(msg.binaryData);
  });
  conn.on('error', () => {});  // protocol errors close the connection; nothing to log
});

httpServer.listen(port, '127.0.0.1', () => {
  console.log(`version ${version}`);
  console.log(`listening on ws://127.0.0.1:${httpServer.address().port}/`);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
