// One audit-log entry as a person reads it: the action by its name, the actor by name, the object
// (a section by its code and title, linked), and the entry's data as labelled fields — amounts in
// yuan, instants in the centre's zone with the offset, states, centres, roles and organisations by
// their names — never raw JSON with epoch milliseconds. The exact entry (the Merkle leaf) travels
// beside it for the page's proof check.
import { html, type SafeHtml } from '../html';
import type { AuditEntry } from '../../modules/formats/dossier';
import { zonedTime } from './format';
import { yuan } from './format';
import { type Ctx, href } from './layout';
import { centreName, type CentreView } from './pages';
import { fill } from './text';

/** What the platform knows of the ids an entry names. */
export interface KnownNames {
  users: Record<string, string>;
  orgs: Record<string, string>;
  sections: Record<string, { code: string; title: string; centre: string }>;
  centres: CentreView[];
}

/** Keys whose string values are amounts in yuan (decimal strings, as the API gives them). */
const AMOUNT_KEYS = new Set(['amount', 'price', 'referencePrice', 'bidBond', 'startingPrice', 'reservePrice', 'finalAmount', 'referenceTotal', 'finalTotal']);
/** Instants after 2001 in epoch milliseconds: what an `…At` number is. */
const looksLikeInstant = (key: string, v: number) => /At$/.test(key) && Number.isSafeInteger(v) && v > 1e12;
const MAX_DEPTH = 4;

/** The section an entry concerns, when it names one (its object, or its data's `section`). */
export function sectionOf(e: AuditEntry): string | null {
  if (e.object.type === 'section' && e.object.id) return e.object.id;
  const s = e.data.section;
  return typeof s === 'string' ? s : null;
}

/** The time zone of the entry's centre, when the entry concerns a section the platform knows. */
export function zoneOf(e: AuditEntry, names: KnownNames): string | undefined {
  const section = sectionOf(e);
  const centre = (section ? names.sections[section]?.centre : undefined) ?? (typeof e.data.centre === 'string' ? e.data.centre : undefined);
  return centre ? names.centres.find((x) => x.code === centre)?.settings.timeZone : undefined;
}

function sectionLink(c: Ctx, id: string, names: KnownNames): SafeHtml {
  const s = names.sections[id];
  if (!s) return html`<code>${id}</code>`;
  return html`<a href="${href(c, `/sections/${encodeURIComponent(id)}`)}" class="section-link">${s.code}</a> ${s.title}`;
}

function value(c: Ctx, key: string, v: unknown, names: KnownNames, zone: string | undefined, depth: number): SafeHtml | string {
  const a = c.s.audit;
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? a.yes : a.no;
  if (typeof v === 'number') return looksLikeInstant(key, v) ? zonedTime(v, zone) : v.toLocaleString('en-US');
  if (typeof v === 'string') {
    if (AMOUNT_KEYS.has(key) && /^-?\d+(\.\d+)?$/.test(v)) return yuan(v, c.s);
    if (key === 'state') return c.s.stateNames[v] ?? v;
    if (key === 'centre') return centreName(c, names.centres, v);
    if (key === 'role') return c.s.account.roleNames[v] ?? v;
    if (key === 'procedure') return c.s.procedureNames[v] ?? v;
    if (key === 'method' || key === 'evaluationMethod') return c.s.evaluationMethodNames[v] ?? v;
    if (key === 'orgId' && names.orgs[v]) return names.orgs[v]!;
    if (key === 'userId' && names.users[v]) return names.users[v]!;
    if ((key === 'section' || key === 'newSectionId' || key === 'previousSectionId') && names.sections[v]) return sectionLink(c, v, names);
    if (/^[0-9a-f]{40,}$/.test(v) || /^[0-9A-HJKMNP-TV-Z]{26}$/.test(v)) return html`<code>${v}</code>`;
    return v;
  }
  if (depth >= MAX_DEPTH) return html`<code>${JSON.stringify(v)}</code>`;
  if (Array.isArray(v)) {
    if (!v.length) return a.noData;
    if (v.every((x) => x === null || typeof x !== 'object')) {
      if (key === 'centres') return v.map((x) => (typeof x === 'string' ? centreName(c, names.centres, x) : String(x))).join('、');
      if (key === 'orgs') return v.map((x) => (typeof x === 'string' ? (names.orgs[x] ?? x) : String(x))).join('、');
      return html`${v.map((x, i) => html`${i ? '、' : ''}${value(c, key, x, names, zone, depth + 1)}`)}`;
    }
    return html`<ol class="entry-list">${v.map((x) => html`<li>${value(c, key, x, names, zone, depth + 1)}</li>`)}</ol>`;
  }
  return fields(c, v as Record<string, unknown>, names, zone, depth + 1);
}

function fields(c: Ctx, data: Record<string, unknown>, names: KnownNames, zone: string | undefined, depth: number): SafeHtml {
  const entries = Object.entries(data);
  if (!entries.length) return html`${c.s.audit.noData}`;
  return html`<dl class="entry-data">${entries.map(([k, v]) => html`<dt>${c.s.audit.dataLabels[k] ?? k}</dt><dd>${value(c, k, v, names, zone, depth)}</dd>`)}</dl>`;
}

/** The entry's data, readable. */
export function entryData(c: Ctx, e: AuditEntry, names: KnownNames): SafeHtml {
  return fields(c, e.data, names, zoneOf(e, names), 0);
}

export function actionName(c: Ctx, action: string): string {
  return c.s.audit.actionNames[action] ?? action;
}

export function actorName(c: Ctx, e: AuditEntry, names: KnownNames): string {
  if (!e.actor) return c.s.audit.system;
  const role = c.s.account.roleNames[e.actor.role] ?? e.actor.role;
  return `${names.users[e.actor.id] ?? e.actor.username} (${e.actor.username}, ${role})`;
}

export function objectText(c: Ctx, e: AuditEntry, names: KnownNames): SafeHtml | string {
  const a = c.s.audit;
  const type = a.objectTypes[e.object.type] ?? e.object.type;
  const id = e.object.id;
  if (!id) return type;
  if (e.object.type === 'section' && names.sections[id]) {
    const s = names.sections[id]!;
    return html`<a href="${href(c, `/sections/${encodeURIComponent(id)}`)}" class="section-link">${fill(a.sectionObject, { code: s.code, title: s.title })}</a>`;
  }
  if (e.object.type === 'org' && names.orgs[id]) return `${type} ${names.orgs[id]}`;
  if (e.object.type === 'user' && names.users[id]) return `${type} ${names.users[id]}`;
  const section = sectionOf(e);
  return html`${type} <code>${id}</code>${section && names.sections[section] ? html` · ${sectionLink(c, section, names)}` : ''}`;
}
