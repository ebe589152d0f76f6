/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the API at /app/ (src/app.ts); `npm run dev` in web/ proxies the API for hot reload.
const api = process.env.STUDIO_API_URL ?? 'http://localhost:3000';
const proxied = ['/auth', '/assets', '/invitations', '/users', '/uploads', '/render-jobs', '/socket.io', '/health', '/ready'];

export default defineConfig({
  base: '/app/',
  plugins: [react()],
  // Hashed files under /app/static/, not Vite's default /app/assets/, which is the app's own Assets page.
  build: { outDir: 'dist', assetsDir: 'static', sourcemap: false, manifest: true, assetsInlineLimit: 0 },
  css: { modules: { localsConvention: 'camelCaseOnly' } },
  server: { proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, ws: p === '/socket.io', changeOrigin: false }])) },
  test: { environment: 'jsdom', include: ['test/**/*.test.{ts,tsx}'], setupFiles: ['test/setup.ts'] },
});
