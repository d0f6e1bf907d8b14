// The app the start sections (9, 13) measure and the two formation steps they repeat: scale web to
// a quantity, and wait until the app has no dyno left (its cleanup finished) before the next start.
import { sleep, waitFor } from './proc.mjs';

export const SERVER_JS = `const http = require('node:http');
http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(\`ok dyno=\${process.env.DYNO}\\n\`);
}).listen(Number(process.env.PORT), () => console.log(\`listening on \${process.env.PORT}\`));
`;

export async function scaleWeb(platform, app, quantity) {
  const r = await platform.api('PATCH', `/apps/${app}/formation/web`, { quantity });
  if (r.status !== 200) throw new Error(`scaling web=${quantity}: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function dynosGone(platform, app, timeoutMs) {
  await waitFor(`${app}'s dynos to be gone`, async () => {
    const r = await platform.api('GET', `/apps/${app}/dynos`);
    return r.status === 200 && Array.isArray(r.body) && r.body.length === 0;
  }, timeoutMs, 100);
  // Let the stopped dynos' cleanup (runc delete, netns, mounts; swarm: the services) finish before the next start.
  await sleep(500);
}
