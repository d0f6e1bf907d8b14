// Backends the benchmarks route to (run as a child process; reports its ports over IPC):
//   node backend.mjs hello        one server answering "ok" at once (router overhead)
//   node backend.mjs dynos N      N "dynos", each serving ONE request at a time and queueing the
//                                 rest in arrival order; GET /s/<ms> takes <ms> milliseconds
//                                 (a timer, not CPU, so ten of them fit on a small machine).
import http from 'node:http';

const [mode = 'hello', countArg = '10'] = process.argv.slice(2);

function listen(handler) {
  const server = http.createServer({ keepAliveTimeout: 120_000 }, handler);
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function dyno(index) {
  const queue = [];
  let busy = false;
  const next = () => {
    if (busy || queue.length === 0) return;
    const { res, ms, arrived } = queue.shift();
    if (res.destroyed) return next();
    busy = true;
    const waited = performance.now() - arrived;
    setTimeout(() => {
      busy = false;
      res.writeHead(200, { 'content-type': 'text/plain', 'x-dyno': `web.${index + 1}`, 'x-dyno-wait-ms': waited.toFixed(2) });
      res.end('done\n');
      next();
    }, ms);
  };
  return (req, res) => {
    const m = /^\/s\/([0-9.]+)/.exec(req.url ?? '');
    const ms = m ? Number(m[1]) : 0;
    req.resume();
    req.on('end', () => {
      queue.push({ res, ms, arrived: performance.now() });
      next();
    });
  };
}

const servers = [];
if (mode === 'hello') {
  servers.push(await listen((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3' });
    res.end('ok\n');
  }));
} else if (mode === 'dynos') {
  const n = Number(countArg);
  for (let i = 0; i < n; i++) servers.push(await listen(dyno(i)));
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
const ports = servers.map((s) => s.address().port);
process.send?.({ type: 'ready', ports });
const stop = () => {
  for (const s of servers) s.closeAllConnections?.();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
