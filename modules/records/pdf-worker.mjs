// Entry of the PDF worker thread (see pdf-renderer.ts). A worker does not inherit a loader that was
// registered in code, so it finds its own: the compiled pdf-worker.js next to this file when there
// is one (a build), otherwise the TypeScript source through tsx (npm start, tests, the bin).
import fs from 'node:fs';

const compiled = new URL('./pdf-worker.js', import.meta.url);
if (fs.existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./pdf-worker.ts');
}
