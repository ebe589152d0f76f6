// Baseline for bench:realtime: a bare Socket.IO server that rebroadcasts what it receives to everyone.
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer();
const io = new Server(server, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('msg', (payload: unknown, ack?: () => void) => {
    io.emit('msg', payload);
    ack?.();
  });
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
