// Helpers for tests of the server-rendered pages: a browser-like agent (cookies kept), the form
// token read from a page, the text of a field's error, and the server time per page (measured and
// printed, never asserted: a slow machine must not fail the suite).
import { performance } from 'node:perf_hooks';
import supertest from 'supertest';
import type { TestApp } from './test-app';

/** A cookie-keeping client, as a browser is. */
export const browserAgent = (t: TestApp) => supertest.agent(t.app);

/** The value of the form token in a page (the hidden _csrf input), or throws when there is none. */
export function formTokenIn(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no form token in the page: ${html.slice(0, 300)}`);
  return m[1]!;
}

/** The error text shown at a field (f-<name>-error), or null. */
export function fieldErrorIn(html: string, name: string): string | null {
  const m = new RegExp(`id="f-${name}-error">([^<]*)<`).exec(html);
  return m ? decode(m[1]!) : null;
}

/** The error summary's general problem (#form-problem), or null. */
export function formProblemIn(html: string): string | null {
  const m = /id="form-problem">([^<]*)</.exec(html);
  return m ? decode(m[1]!) : null;
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** A GET of a page form, then a POST of it with its token, the way a browser sends a form. */
export async function postForm(agent: supertest.Agent, pagePath: string, action: string, fields: Record<string, string>): Promise<supertest.Response> {
  const page = await agent.get(pagePath);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: formTokenIn(page.text), ...fields });
}

const timings: Array<{ page: string; medianMs: number; maxMs: number }> = [];

/**
 * Server time of a page: `runs` requests in-process (no network), their median and maximum.
 * Recorded for the report printed by printPageTimings; not a timed assertion.
 */
export async function timePage(agent: supertest.Agent, label: string, path: string, runs = 15): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await agent.get(path);
    ms.push(performance.now() - started);
    if (res.status >= 400) throw new Error(`${path} answered ${res.status}`);
  }
  ms.sort((a, b) => a - b);
  timings.push({ page: label, medianMs: ms[Math.floor(ms.length / 2)]!, maxMs: ms[ms.length - 1]! });
}

export function printPageTimings(): void {
  if (!timings.length) return;
  console.log('\n      server time per page (in-process, median / max of the runs):');
  for (const t of timings) console.log(`        ${t.page.padEnd(34)} ${t.medianMs.toFixed(1).padStart(6)} ms / ${t.maxMs.toFixed(1)} ms`);
}
