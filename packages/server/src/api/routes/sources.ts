/**
 * Source uploads, as Heroku's: `POST /sources` → `{source_blob:{put_url,get_url}}`, then a plain
 * `PUT <put_url>` of the tarball; `get_url` is then given to `POST /apps/{app}/builds`.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { apiBaseUrl } from '../../config.js';
import type { DeployRouteDeps } from './deploy-deps.js';
import type { Route } from '../http/index.js';

export function sourceRoutes(deps: DeployRouteDeps): Route[] {
  const { builder, config } = deps;
  const file = (id: string) => path.join(builder.sourcesDir, `${id}.tgz`);
  const valid = (id: string, sig: string) => /^[0-9a-f-]{36}$/.test(id) && builder.signer.verify('source', id, sig);
  const plain = (res: import('node:http').ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  };
  return [
    {
      method: 'POST', path: '/sources',
      async handler() {
        const id = randomUUID();
        const url = `${apiBaseUrl(config)}/sources/${id}/${builder.signer.sign('source', id)}`;
        return { status: 201, body: { source_blob: { get_url: url, put_url: url } } };
      },
    },
    {
      method: 'PUT', path: '/sources/:id/:sig', auth: false, raw: true,
      async handler(ctx) {
        const { id, sig } = ctx.params;
        if (!valid(id, sig)) return plain(ctx.res, 404, 'Unknown upload URL.\n');
        await mkdir(builder.sourcesDir, { recursive: true, mode: 0o700 });
        const target = file(id);
        let size = 0;
        const ok = await new Promise<boolean>((resolve) => {
          const ws = createWriteStream(target, { mode: 0o600 });
          ctx.req.on('data', (c: Buffer) => {
            size += c.length;
            if (size > config.slugMaxBytes) {
              ctx.req.unpipe(ws);
              ws.destroy();
              resolve(false);
            }
          });
          ws.on('finish', () => resolve(true));
          ws.on('error', () => resolve(false));
          ctx.req.pipe(ws);
        });
        if (!ok) {
          await rm(target, { force: true });
          return plain(ctx.res, 413, `Upload larger than ${config.slugMaxBytes} bytes.\n`);
        }
        plain(ctx.res, 200, '');
      },
    },
    {
      method: 'GET', path: '/sources/:id/:sig', auth: false, raw: true,
      async handler(ctx) {
        const { id, sig } = ctx.params;
        if (!valid(id, sig)) return plain(ctx.res, 404, 'Unknown source URL.\n');
        await new Promise<void>((resolve) => {
          const rs = createReadStream(file(id));
          rs.on('error', () => {
            if (!ctx.res.headersSent) plain(ctx.res, 404, 'Not uploaded yet.\n');
            else ctx.res.destroy();
            resolve();
          });
          rs.on('open', () => ctx.res.writeHead(200, { 'Content-Type': 'application/gzip' }));
          rs.on('end', resolve);
          rs.pipe(ctx.res);
        });
      },
    },
  ];
}
