// The body of the PDF worker thread: renders one job at a time and answers with the bytes and the
// digest the PDF states. Started by pdf-renderer.ts through pdf-worker.mjs.
import { parentPort, threadId } from 'node:worker_threads';
import { renderPdf } from './pdf';
import { documentFor, type RenderJob } from './record-documents';

export interface WorkerRequest {
  id: number;
  job: RenderJob;
}

export type WorkerReply = { id: number; ok: true; pdf: Uint8Array; sha256: string; threadId: number } | { id: number; ok: false; message: string };

const port = parentPort;
if (!port) throw new Error('pdf-worker.ts runs as a worker thread (see pdf-renderer.ts)');

port.on('message', (msg: WorkerRequest) => {
  void (async () => {
    try {
      const rendered = await renderPdf(documentFor(msg.job));
      port.postMessage({ id: msg.id, ok: true, pdf: rendered.pdf, sha256: rendered.sha256, threadId } satisfies WorkerReply);
    } catch (err) {
      port.postMessage({ id: msg.id, ok: false, message: (err as Error)?.message ?? String(err) } satisfies WorkerReply);
    }
  })();
});
