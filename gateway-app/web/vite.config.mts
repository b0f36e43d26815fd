import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built at install time (scripts/setup.sh: `vite build gateway-app/web`) into web/dist, which the
// gateway serves. Every asset is bundled: no CDN, no web font, nothing from another origin.
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4096,
    sourcemap: true,
    rollupOptions: {
      onwarn(warning, warn) {
        // dcmjs-codecs fetches its module through eval; the page hands it the bytes instead
        // (src/viewer/native-codecs.ts), so that eval never runs and the CSP can forbid it.
        if (warning.code === 'EVAL' && warning.id?.includes('dcmjs-codecs')) return;
        warn(warning);
      },
    },
  },
  // For UI work, `npx vite gateway-app/web` proxies the API to the demo's gateway.
  server: { proxy: { '/api': 'http://localhost:7090' } },
});
