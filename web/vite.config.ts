import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The custos binary serves the build itself, under a Content-Security-Policy of
// default-src 'self': no inline scripts or styles, nothing from other origins.
export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2020',
    // Images are files, never data: URLs in the styles.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev` proxies the API to a custos started with `make run`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
