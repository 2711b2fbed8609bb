// Renders PDF records off the event loop: one worker thread (started on first use) takes the jobs
// one after another. A render of a large record takes a second or more of CPU; on the main thread
// it would hold every other request, /healthz included, for that long.
import { Worker } from 'node:worker_threads';
import { AppError } from '../core/errors';
import type { RenderedPdf } from './pdf';
import type { WorkerReply, WorkerRequest } from './pdf-worker';
import type { RenderJob } from './record-documents';

export interface PdfRenderer {
  /** The PDF of a job, rendered in the worker; 503 records_busy when too many jobs are waiting. */
  render(job: RenderJob): Promise<RenderedPdf & { threadId: number }>;
  close(): Promise<void>;
}

const ENTRY = new URL('./pdf-worker.mjs', import.meta.url);

interface Pending {
  id: number;
  job: RenderJob;
  resolve(value: RenderedPdf & { threadId: number }): void;
  reject(err: Error): void;
}

export function workerRenderer(options: { maxWaiting?: number; maxHeapMb?: number } = {}): PdfRenderer {
  const maxWaiting = options.maxWaiting ?? 16;
  let worker: Worker | null = null;
  let running: Pending | null = null;
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  function fail(err: Error): void {
    const all = [...(running ? [running] : []), ...queue.splice(0)];
    running = null;
    worker = null;
    for (const p of all) p.reject(err);
  }

  function start(): Worker {
    // execArgv: [] — the entry registers its own loader; the parent's flags (e.g. --import tsx) are not needed.
    const w = new Worker(ENTRY, { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 512 } });
    w.on('message', (reply: WorkerReply) => {
      const p = running;
      if (!p || p.id !== reply.id) return;
      running = null;
      if (reply.ok) p.resolve({ pdf: Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength), sha256: reply.sha256, threadId: reply.threadId });
      else p.reject(new Error(`rendering the ${p.job.kind} PDF failed: ${reply.message}`));
      pump();
    });
    w.on('error', (err) => fail(new Error(`the PDF worker failed: ${err.message}`)));
    w.on('exit', (code) => {
      if (worker === w) fail(new Error(`the PDF worker exited (code ${code})`));
    });
    return w;
  }

  function pump(): void {
    if (running || closed) return;
    const next = queue.shift();
    if (!next) {
      worker?.unref(); // an idle worker does not keep the process alive
      return;
    }
    worker ??= start();
    worker.ref();
    running = next;
    worker.postMessage({ id: next.id, job: next.job } satisfies WorkerRequest);
  }

  return {
    render(job) {
      if (closed) return Promise.reject(new Error('the PDF renderer is closed'));
      if (queue.length >= maxWaiting) {
        return Promise.reject(new AppError(503, 'records_busy', 'The server is busy rendering other PDF records; try again in a minute.'));
      }
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, job, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const w = worker;
      fail(new Error('the PDF renderer is closed'));
      if (w) await w.terminate();
    },
  };
}
