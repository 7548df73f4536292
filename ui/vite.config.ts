import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// A plain single-page app served by Tauri from ui/dist.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { outDir: "dist", target: "safari15", emptyOutDir: true },
  test: { environment: "node", include: ["test/**/*.test.ts"] },
});
