// Raw TCP for requests fetch() will not send: literal "..", bad bytes, broken framing, slow clients.
import net from 'node:net';

// Sends `chunks` (strings or Buffers; a number means "pause that many ms") and collects what the
// server answers until it closes the connection or `timeoutMs` passes.
// Resolves { status, head, body, text, closedBy: 'server' | 'timeout' | 'error', error, ms }.
export function rawExchange(port, chunks, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const received = [];
    let done = false;
    let error = null;
    const finish = (closedBy) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(received);
      const text = data.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split >= 0 ? text.slice(0, split) : text;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({
        status: m ? Number(m[1]) : null,
        head,
        body: split >= 0 ? text.slice(split + 4) : '',
        text,
        closedBy,
        error,
        ms: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (d) => received.push(d));
    socket.on('end', () => finish('server'));
    socket.on('close', () => finish(error ? 'error' : 'server'));
    socket.on('error', (e) => {
      error = e;
    });
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (done || socket.destroyed) return;
        if (typeof c === 'number') await new Promise((r) => setTimeout(r, c));
        else socket.write(c);
      }
    });
  });
}

export function header(head, name) {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  return m ? m[1].trim() : null;
}
