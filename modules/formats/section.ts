// A section as the API shows it (GET /api/sections, GET /api/sections/:id): the public facts, and
// once published its opening key's public part (modules/tenders/section-view.ts, section-reads.ts).
import { z } from 'zod';
import { EVALUATION_METHODS, PROCEDURES, REFERENCE_KINDS } from '../centres/centre-rules';
import { epochMs, hex64, yuanText } from './common';
import { timeLockSchema } from './opening-record';

export const sectionSchema = z.strictObject({
  id: z.string(),
  projectId: z.string(),
  centre: z.string(),
  code: z.string(),
  lotNo: z.int().min(1),
  round: z.int().min(1),
  previousSectionId: z.string().nullable(),
  title: z.string(),
  state: z.string().describe('draft, published, bidding, closed, opening, opened, evaluating, publicity, awarded, contracted, failed or cancelled'),
  procedure: z.enum(PROCEDURES),
  evaluationMethod: z.enum(EVALUATION_METHODS),
  referenceKind: z.enum(REFERENCE_KINDS),
  referencePrice: yuanText,
  bidBond: yuanText,
  publishedAt: epochMs.nullable(),
  bidOpensAt: epochMs.nullable(),
  clarificationDeadlineAt: epochMs.nullable(),
  bidDeadlineAt: epochMs.nullable(),
  openingAt: epochMs.nullable(),
  closedAt: epochMs.nullable(),
  cancelledAt: epochMs.nullable(),
  cancelReason: z.string().nullable(),
  failureReason: z.string().nullable(),
  version: z.int(),
  updatedAt: epochMs,
  /** Once published: the public part of the key the bids are sealed to. */
  openingKey: z
    .strictObject({
      recipient: z.string(),
      threshold: z.int().min(1),
      custodians: z.array(z.string()),
      scheme: z.enum(['shamir-gf256', 'feldman-ed25519']),
      commitments: z.array(z.string()),
      timeLock: timeLockSchema.nullable(),
    })
    .optional(),
});

export const projectSchema = z.strictObject({
  id: z.string(),
  centre: z.string(),
  code: z.string(),
  title: z.string(),
  tenderee: z.string(),
  description: z.string().nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});

/** A section without its opening key: what the write operations and project reads answer. */
export const plainSectionSchema = sectionSchema.omit({ openingKey: true });

/** A section as a bidder's or custodian's overview names it (GET /api/me/bids, /api/me/custody). */
export const sectionSummarySchema = z.strictObject({ id: z.string(), code: z.string(), title: z.string(), state: z.string(), bidDeadlineAt: epochMs.nullable() });
export type PlainSection = z.infer<typeof plainSectionSchema>;
export type Section = z.infer<typeof sectionSchema>;
export type Project = z.infer<typeof projectSchema>;

/** A tender document attached to a section (its bytes: GET /api/sections/:id/documents/:documentId). */
export const sectionDocumentSchema = z.strictObject({ id: z.string(), name: z.string(), mediaType: z.string(), size: z.int().min(0), sha256: hex64, uploadedAt: epochMs });
export type SectionDocumentJson = z.infer<typeof sectionDocumentSchema>;

/** A clarification or amendment of a section, with the deadline it moved (if any). */
export const clarificationSchema = z.strictObject({
  id: z.string(),
  seq: z.int(),
  title: z.string(),
  body: z.string(),
  affectsBids: z.boolean(),
  previousDeadlineAt: epochMs.nullable(),
  newDeadlineAt: epochMs.nullable(),
  issuedAt: epochMs,
});
export type ClarificationJson = z.infer<typeof clarificationSchema>;

/** GET /api/sections/:id. */
export const sectionDetailSchema = z.strictObject({
  section: sectionSchema,
  project: projectSchema,
  documents: z.array(sectionDocumentSchema),
  clarifications: z.array(clarificationSchema),
  /** Present (true) for staff who may manage the section. */
  canManage: z.boolean().optional(),
});

/** GET /api/sections: the list, each with its project's title and tenderee. */
export const sectionListSchema = z.strictObject({
  sections: z.array(plainSectionSchema.extend({ projectTitle: z.string(), tenderee: z.string() })),
});
