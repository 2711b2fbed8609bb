// How sections and projects look in the API: amounts as yuan strings, instants as epoch ms.
// Nothing here reveals bidders, bid counts or who downloaded the documents (EB 21).
import type { ClarificationJson, PlainSection, Project as ProjectJson, SectionDocumentJson } from '../formats/section';
import { formatYuan } from '../core/money';
import type { Clarification, Project, Section, SectionDocument } from './tenders-store';

export function sectionJson(s: Section): PlainSection {
  return {
    id: s.id,
    projectId: s.projectId,
    centre: s.centre,
    code: s.code,
    lotNo: s.lotNo,
    round: s.round,
    previousSectionId: s.previousSectionId,
    title: s.title,
    state: s.state,
    procedure: s.procedure,
    evaluationMethod: s.evaluationMethod,
    referenceKind: s.referenceKind,
    referencePrice: formatYuan(s.referencePriceFen),
    bidBond: formatYuan(s.bidBondFen),
    publishedAt: s.publishedAt,
    bidOpensAt: s.bidOpensAt,
    clarificationDeadlineAt: s.clarificationDeadlineAt,
    bidDeadlineAt: s.bidDeadlineAt,
    openingAt: s.bidDeadlineAt,
    closedAt: s.closedAt,
    cancelledAt: s.cancelledAt,
    cancelReason: s.cancelReason,
    failureReason: s.failureReason ?? null,
    version: s.version,
    updatedAt: s.updatedAt,
  };
}

export function projectJson(p: Project): ProjectJson {
  return {
    id: p.id,
    centre: p.centre,
    code: p.code,
    title: p.title,
    tenderee: p.tenderee,
    description: p.description,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function documentJson(d: SectionDocument): SectionDocumentJson {
  return { id: d.id, name: d.name, mediaType: d.mediaType, size: d.size, sha256: d.sha256, uploadedAt: d.uploadedAt };
}

export function clarificationJson(c: Clarification): ClarificationJson {
  return {
    id: c.id,
    seq: c.seq,
    title: c.title,
    body: c.body,
    affectsBids: c.affectsBids,
    previousDeadlineAt: c.previousDeadlineAt,
    newDeadlineAt: c.newDeadlineAt,
    issuedAt: c.issuedAt,
  };
}
