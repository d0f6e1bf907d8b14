/**
 * Heroku-like HTML error pages: the "Application error" page for H-codes, the maintenance page for
 * H80, and the "no such app" page for unknown hosts (which never names any app).
 */
import http from 'node:http';
import type net from 'node:net';
import type { RouterCode } from './codes.js';
import { rawResponseHead } from './websocket.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, heading: string, body: string, footer: string): string {
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escape(title)}</title>
    <style>
      body { margin: 0; font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; background: #f7f8fb; color: #3f3f44; }
      main { max-width: 560px; margin: 12vh auto; padding: 0 24px; text-align: center; }
      h1 { font-size: 24px; font-weight: 500; } p { line-height: 1.5; } code { color: #79589f; }
      footer { margin-top: 32px; font-size: 12px; color: #96969c; }
    </style>
  </head>
  <body>
    <main>
      <h1>${escape(heading)}</h1>
      <p>${body}</p>
      <footer>${footer}</footer>
    </main>
  </body>
</html>
`;
}

export function errorPage(code: RouterCode, requestId: string): string {
  const footer = `Error code <code>${code}</code> &middot; Request ID <code>${escape(requestId)}</code>`;
  if (code === 'H80') {
    return page('Offline for Maintenance', 'Offline for Maintenance',
      'This app is undergoing maintenance right now. Please check back later.', footer);
  }
  return page('Application Error', 'Application error',
    'An error occurred in the application and your page could not be served. If you are the application owner, check your logs for details. You can do this from the Slipway CLI with the command <code>heroku logs --tail</code>.',
    footer);
}

export function noSuchAppPage(requestId: string): string {
  return page('No such app', 'There is no app configured at that hostname',
    'Perhaps the app owner has renamed it, or you mistyped the URL.', `Request ID <code>${escape(requestId)}</code>`);
}

export function sendPage(res: http.ServerResponse, status: number, html: string, method: string | undefined): void {
  const body = Buffer.from(html);
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache, no-store',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

export function writeRawPage(socket: net.Socket, status: number, html: string): void {
  if (!socket.writable) return;
  const body = Buffer.from(html);
  socket.end(Buffer.concat([
    Buffer.from(rawResponseHead(status, http.STATUS_CODES[status] ?? '', ['Content-Type', 'text/html; charset=utf-8', 'Content-Length', String(body.length), 'Connection', 'close'])),
    body,
  ]));
}
