// The page, served by Vite (`npx vite examples/platform-frontend`), with POST /session passed to the
// platform's backend so the page and its backend share one origin, as they would in production.
import { defineConfig } from 'vite';

const connectUrl = process.env.CONNECT_URL ?? 'http://localhost:4000';
const backendUrl = process.env.PLATFORM_BACKEND_URL ?? 'http://127.0.0.1:4100';
const proxy = { '/session': backendUrl };

export default defineConfig({
  root: import.meta.dirname,
  // Where Connect runs: the page loads connect.js from there and sends its GraphQL there.
  define: { CONNECT_URL: JSON.stringify(connectUrl.replace(/\/+$/, '')) },
  // Top-level await (the page waits for connect.js): the browsers of the last few years.
  build: { target: 'es2022' },
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, strictPort: true, proxy },
});
