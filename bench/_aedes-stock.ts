// Child process of `npm run bench -- mqtt`: Aedes as published, with none of the lab's patches,
// limits or access rules, so that the round-trip table shows what the lab adds to upstream.
// Listens on MQTT/TCP (TCP_NODELAY, as the lab) and MQTT over WebSocket at /mqtt.
import http from 'node:http';
import net from 'node:net';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

const [tcpPort, httpPort] = process.argv.slice(2).map(Number);
const broker = await Aedes.createBroker();
net.createServer({ noDelay: true }, (socket) => broker.handle(socket)).listen(tcpPort, '127.0.0.1');
const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url ?? '/', 'http://x').pathname !== '/mqtt') {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => broker.handle(createWebSocketStream(ws)));
});
server.listen(httpPort, '127.0.0.1');
