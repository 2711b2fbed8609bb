import { z } from 'zod';
import { instantSchema } from '../core/instant';
import { multiLineText, oneLineText } from '../core/text';
import { CENTRE_CODES, EVALUATION_METHODS, PROCEDURES, REFERENCE_KINDS } from '../centres/centre-rules';
import { MAX_FEN, parseYuan } from '../core/money';
import { clarificationSchema, plainSectionSchema, projectSchema, sectionDocumentSchema, sectionSchema } from '../formats/section';
import { SECTION_STATES } from '../lifecycle/lifecycle';

/** Amount in yuan as a decimal string ("12345678.90"), turned into integer fen. */
export const yuanSchema = z
  .string()
  .describe('Amount in yuan as a decimal string with at most two decimals, e.g. "12345678.90".')
  .transform((value, ctx) => {
    const parsed = parseYuan(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: `the amount ${parsed.reason}` });
      return z.NEVER;
    }
    return parsed.fen;
  });

export { instantSchema };

const timelineFields = {
  bidOpensAt: instantSchema.optional().describe('Start of the bid window; defaults to the publication time.'),
  clarificationDeadlineAt: instantSchema.optional(),
  bidDeadlineAt: instantSchema.optional().describe('Bid deadline, which is also the public opening time (EB 29).'),
};

export const sectionInput = z.strictObject({
  title: oneLineText(1, 200),
  procedure: z.enum(PROCEDURES).optional(),
  evaluationMethod: z.enum(EVALUATION_METHODS).optional(),
  referenceKind: z.enum(REFERENCE_KINDS).optional(),
  referencePrice: yuanSchema.describe('Budget, control price, starting price or listing price, in yuan.'),
  bidBond: yuanSchema.optional(),
  ...timelineFields,
});
export type SectionInput = z.infer<typeof sectionInput>;

export const sectionPatch = z.strictObject({
  title: oneLineText(1, 200).optional(),
  procedure: z.enum(PROCEDURES).optional(),
  evaluationMethod: z.enum(EVALUATION_METHODS).optional(),
  referenceKind: z.enum(REFERENCE_KINDS).optional(),
  referencePrice: yuanSchema.optional(),
  bidBond: yuanSchema.optional(),
  ...timelineFields,
});
export type SectionPatch = z.infer<typeof sectionPatch>;

export const createProjectBody = z.strictObject({
  centre: z.enum(CENTRE_CODES),
  title: oneLineText(1, 200),
  tenderee: oneLineText(1, 200).describe('招标人 / 出让人: the party that tenders or sells.'),
  description: multiLineText(0, 20000, { trim: false }).optional(),
  sections: z.array(sectionInput).min(1).max(50),
});

export const updateProjectBody = z.strictObject({
  title: oneLineText(1, 200).optional(),
  tenderee: oneLineText(1, 200).optional(),
  description: multiLineText(0, 20000, { trim: false }).optional(),
});

export const clarificationBody = z.strictObject({
  title: oneLineText(1, 200),
  body: multiLineText(1, 50000),
  affectsBids: z.boolean().default(true).describe('A clarification or amendment that may affect bid preparation (TBL 23).'),
  newBidDeadlineAt: instantSchema.optional(),
});

export const retenderBody = z.strictObject({ ...timelineFields });

export const cancelBody = z.strictObject({ reason: multiLineText(4, 500) });

export const listSectionsQuery = z.strictObject({
  centre: z.enum(CENTRE_CODES).optional(),
  state: z.enum(SECTION_STATES).optional(),
  limit: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(1).max(200)).optional(),
  offset: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(0)).optional(),
});

export const listProjectsQuery = z.strictObject({ centre: z.enum(CENTRE_CODES).optional() });

export const documentQuery = z.strictObject({
  name: oneLineText(1, 200).pipe(z.string().regex(/^[^/\\]+$/, 'must be a file name without slashes')),
});

export { MAX_FEN };

// What the project and section write routes answer (the reads are published formats: formats/section.ts).

export const projectWithSectionsResponse = z.strictObject({ project: projectSchema, sections: z.array(plainSectionSchema) });
export const projectsResponse = z.strictObject({ projects: z.array(projectSchema) });
export const projectResponse = z.strictObject({ project: projectSchema });
export const plainSectionResponse = z.strictObject({ section: plainSectionSchema });
/** Publishing answers the section with its opening key's public part. */
export const publishedSectionResponse = z.strictObject({ section: sectionSchema });
export const clarificationResponse = z.strictObject({ clarification: clarificationSchema, section: plainSectionSchema });
export const documentResponse = z.strictObject({ document: sectionDocumentSchema });
