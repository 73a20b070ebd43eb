// Echo server on the npm `faye-websocket` package (its server-side
// WebSocket on a node:http server's 'upgrade' event; websocket-driver parses
// the frames).
//
// Usage: node faye-websocket-echo.mjs [PORT]   (default 0: a free port)
// The package is loaded from build/npm/node_modules (ci/setup installs it
// there), or from $WS_NODE_MODULES if set. Listens on 127.0.0.1 only. Prints
// "version X" and then "listening on ws://127.0.0.1:PORT/" once it accepts
// connections. Echoes every text and binary message. Library defaults: no
// extensions (permessage-deflate only when one is passed in) and a message
// size limit of 64 MiB - 1 (maxLength), already above the 32 MiB the 16 MiB
// messages need.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.WS_NODE_MODULES ?? path.join(here, '..', '..', 'build', 'npm', 'node_modules');
// ES module imports ignore NODE_PATH: resolve through require() from there.
const require = createRequire(path.join(modules, 'noop.js'));
const WebSocket = require('faye-websocket');
const version = require('faye-websocket/package.json').version;
const driverVersion = require('websocket-driver/package.json').version;

const port = Number(process.argv[2] ?? 0);
const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket endpoint\n');
});

server.on('upgrade', (request, socket, body) => {
  // Not a WebSocket request (not a GET, Upgrade other than websocket):
  // refused with an HTTP error, as a server without the package would.
  if (!WebSocket.isWebSocket(request)) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const ws = new WebSocket(request, socket, body);
  // A text message arrives as a string and a binary one as a Buffer; send()
  // picks the opcode the same way.
  ws.on('message', (event) => ws.send(event.data));
  ws.on('error', () => {});  // protocol errors close the connection; nothing to log
});

server.listen(port, '127.0.0.1', () => {
  console.log(`version ${version}+websocket-driver-${driverVersion}`);
  console.log(`listening on ws://127.0.0.1:${server.address().port}/`);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
