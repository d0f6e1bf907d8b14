// Slipway's tiny static file server (built-in static buildpack). Serves `root` from static.json
// (default `public/` if it exists, else the app dir) on $PORT; `clean_urls` and a 404.html are honoured.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const appDir = path.resolve(__dirname, '..');
let conf = {};
try { conf = JSON.parse(fs.readFileSync(path.join(appDir, 'static.json'), 'utf8')); } catch { conf = {}; }
const rootName = conf.root || (fs.existsSync(path.join(appDir, 'public')) ? 'public' : '.');
const root = path.resolve(appDir, rootName);
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.wasm': 'application/wasm', '.woff2': 'font/woff2' };

function resolveFile(urlPath) {
  let rel;
  try { rel = decodeURIComponent(urlPath.split('?')[0]); } catch { return null; }
  const full = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  const candidates = [full, path.join(full, 'index.html')];
  if (conf.clean_urls) candidates.push(full + '.html');
  for (const c of candidates) {
    try { if (fs.statSync(c).isFile()) return c; } catch { /* next */ }
  }
  return null;
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { Allow: 'GET, HEAD' }); res.end(); return; }
  const file = resolveFile(req.url || '/');
  if (!file) {
    const notFound = path.join(root, '404.html');
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
    if (req.method === 'HEAD') { res.end(); return; }
    if (fs.existsSync(notFound)) fs.createReadStream(notFound).pipe(res); else res.end('Not Found\n');
    return;
  }
  const headers = { 'Content-Type': types[path.extname(file).toLowerCase()] || 'application/octet-stream', 'Content-Length': fs.statSync(file).size };
  res.writeHead(200, headers);
  if (req.method === 'HEAD') { res.end(); return; }
  fs.createReadStream(file).pipe(res);
});
const port = Number(process.env.PORT || 5000);
server.listen(port, () => console.log(`Static site from ${rootName}/ listening on port ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
