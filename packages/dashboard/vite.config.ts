/**
 * The dashboard's build: Vite (Rolldown + Oxc) bundles the Preact app into `dist/` with
 * content-hashed assets under `dist/assets/`, served by the platform at `/dashboard/`.
 * No inline scripts (the CSP forbids them) and no code from a CDN at run time.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    target: 'es2022',
  },
});
