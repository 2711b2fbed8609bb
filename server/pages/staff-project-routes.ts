// The operator's project and section forms: a new project with its first section, the project's
// own fields, a section added or edited while a draft, and publication. Each post is checked here
// into field errors in the page's language, then through the API's schema and the tenders service
// (which applies the centre's rules); a rule the service refuses is shown at its field.
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { CentresService } from '../../modules/centres/centres-service';
import { mayManageCentre } from '../../modules/core/access';
import { AppError, notFound } from '../../modules/core/errors';
import { createProjectBody, sectionInput, sectionPatch, updateProjectBody } from '../../modules/tenders/tenders-schemas';
import type { TendersService } from '../../modules/tenders/tenders-service';
import { emptyForm, type FormState } from '../../templates/pages/forms';
import { type Ctx, href } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { chooseCentrePage, editProjectPage, newProjectPage, PROJECT_FIELDS, SECTION_FIELDS, sectionFormPage } from '../../templates/pages/staff-forms';
import { refusalAtFields } from '../../templates/pages/staff-rules';
import type { FormTokens } from '../http/form-token';
import type { SafeHtml } from '../../templates/html';
import type { PageContext } from './page-context';
import { failureOf, seeOther, sendPage } from './respond';
import { type Body, centreName, choicesOf, myCentres, queryText, readProjectForm, readSectionForm, sectionInScope, sectionValues, staffOnly } from './staff-common';

export interface StaffProjectDeps {
  tenders: Pick<TendersService, 'createProject' | 'getProject' | 'updateProject' | 'addSection' | 'getSection' | 'updateSection' | 'publish'>;
  centres: Pick<CentresService, 'rules'>;
  tokens: FormTokens;
  context: PageContext;
}

const FORM_FIELDS = [...PROJECT_FIELDS, ...SECTION_FIELDS];

/** The form as re-rendered, or the saved values when it carries none (a first view, a refused token). */
const withValues = (form: FormState | null, saved: Record<string, string>): FormState => (form && Object.keys(form.values).length ? form : { ...(form ?? emptyForm()), values: saved });

export function staffProjectRoutes(deps: StaffProjectDeps): Router {
  const { tenders, centres, tokens, context } = deps;
  const router = Router();
  const formBody = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 30 });
  const sectionPath = (c: Ctx, id: string, query: Record<string, string> = {}) => href(c, `/staff/sections/${encodeURIComponent(id)}`, query);

  /** A refusal of the service as field errors (the rule at its field) or the form's general problem. */
  const refusal = (c: Ctx, err: AppError, res: Response, known: readonly string[], facts: { maxBidBondPercent?: string } = {}) =>
    refusalAtFields(c, failureOf(err, res), known, failureText(c.lang, failureOf(err, res)), facts);
  const pageFailure = (err: unknown): err is AppError => err instanceof AppError && err.status < 500 && err.status !== 404;

  // ——— a new project with its first section ———
  const newProjectView = async (req: Request, res: Response, status: number, centreCode: string, form: FormState) => {
    const c = await context(req, res, { form: true });
    if (!mayManageCentre(req.ctx.actor, centreCode)) throw notFound('The centre');
    sendPage(res, status, newProjectPage(c, { centre: choicesOf(c, await centres.rules(centreCode)), form }));
  };

  router.get('/staff/projects/new', staffOnly, async (req, res) => {
    const mine = myCentres(req.ctx.actor!);
    const chosen = queryText(req, 'centre') ?? (mine.length === 1 ? mine[0] : undefined);
    if (!chosen) {
      const c = await context(req, res);
      const list = await Promise.all(mine.map(async (code) => ({ code, name: centreName(c, await centres.rules(code)) })));
      return sendPage(res, 200, chooseCentrePage(c, list));
    }
    if (!mine.includes(chosen)) throw notFound('The centre');
    await newProjectView(req, res, 200, chosen, emptyForm());
  });

  router.post(
    '/staff/projects/new',
    formBody,
    tokens.verify,
    staffOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const centreCode = String((req.body as Body).centre ?? '');
      if (!myCentres(req.ctx.actor!).includes(centreCode)) throw notFound('The centre');
      const rules = await centres.rules(centreCode);
      const centre = choicesOf(c, rules);
      const project = readProjectForm(c, req.body as Body);
      const section = readSectionForm(c, req.body as Body, centre);
      const values = { ...project.values, ...section.values };
      const errors = { ...project.errors, ...section.errors };
      if (Object.keys(errors).length) return newProjectView(req, res, 422, centreCode, { values, errors });
      const parsed = createProjectBody.safeParse({ centre: centreCode, ...project.input, ...(project.input.description ? {} : { description: undefined }), sections: [section.input] });
      if (!parsed.success) return newProjectView(req, res, 422, centreCode, { values, errors: {}, problem: failureText(c.lang, { code: 'validation_failed', status: 422 }) });
      try {
        const created = await tenders.createProject(req.ctx, parsed.data);
        seeOther(res, sectionPath(c, created.sections[0]!.id, { created: '1' }));
      } catch (err) {
        if (!pageFailure(err)) throw err;
        const r = refusal(c, err, res, FORM_FIELDS, { maxBidBondPercent: centre.maxBidBondPercent });
        return newProjectView(req, res, err.status, centreCode, { values, ...r });
      }
    },
    refused(async (req, res, status, problem) => {
      const centreCode = String((req.body as Body | undefined)?.centre ?? '');
      const c = await context(req, res, { form: true });
      const values = { ...readProjectForm(c, req.body as Body).values };
      await newProjectView(req, res, status, centreCode, { values, errors: {}, problem });
    }),
  );

  // ——— the project's own fields, and its sections ———
  const projectOf = async (req: Request, id: string) => {
    const p = await tenders.getProject(req.ctx, id);
    if (!mayManageCentre(req.ctx.actor, p.project.centre)) throw notFound('The project');
    return p;
  };
  const editProjectView = async (req: Request, res: Response, status: number, form: FormState | null, saved = false) => {
    const p = await projectOf(req, req.params.id as string);
    const c = await context(req, res, { form: true });
    const values = { projectTitle: p.project.title, tenderee: p.project.tenderee, description: p.project.description ?? '' };
    sendPage(res, status, editProjectPage(c, { project: { id: p.project.id, code: p.project.code, sections: p.sections }, form: withValues(form, values), saved }));
  };
  router.get('/staff/projects/:id/edit', staffOnly, (req, res) => editProjectView(req, res, 200, null, queryText(req, 'saved') === '1'));
  router.post(
    '/staff/projects/:id/edit',
    formBody,
    tokens.verify,
    staffOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const id = req.params.id as string;
      await projectOf(req, id);
      const read = readProjectForm(c, req.body as Body);
      if (Object.keys(read.errors).length) return editProjectView(req, res, 422, { values: read.values, errors: read.errors });
      const parsed = updateProjectBody.safeParse(read.input);
      if (!parsed.success) return editProjectView(req, res, 422, { values: read.values, errors: {}, problem: failureText(c.lang, { code: 'validation_failed', status: 422 }) });
      try {
        await tenders.updateProject(req.ctx, id, parsed.data);
      } catch (err) {
        if (!pageFailure(err)) throw err;
        return editProjectView(req, res, err.status, { values: read.values, ...refusal(c, err, res, PROJECT_FIELDS) });
      }
      seeOther(res, href(c, `/staff/projects/${encodeURIComponent(id)}/edit`, { saved: '1' }));
    },
    refused((req, res, status, problem) => editProjectView(req, res, status, { values: {}, errors: {}, problem })),
  );

  // ——— a section added to a project ———
  const addSectionView = async (req: Request, res: Response, status: number, form: FormState | null) => {
    const p = await projectOf(req, req.params.id as string);
    const c = await context(req, res, { form: true });
    const rules = await centres.rules(p.project.centre);
    const page: SafeHtml = sectionFormPage(c, { mode: 'add', projectId: p.project.id, projectCode: p.project.code, centre: choicesOf(c, rules), form: form ?? emptyForm() });
    sendPage(res, status, page);
  };
  router.get('/staff/projects/:id/sections/new', staffOnly, (req, res) => addSectionView(req, res, 200, null));
  router.post(
    '/staff/projects/:id/sections/new',
    formBody,
    tokens.verify,
    staffOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const p = await projectOf(req, req.params.id as string);
      const centre = choicesOf(c, await centres.rules(p.project.centre));
      const read = readSectionForm(c, req.body as Body, centre);
      if (Object.keys(read.errors).length) return addSectionView(req, res, 422, { values: read.values, errors: read.errors });
      const parsed = sectionInput.safeParse(read.input);
      if (!parsed.success) return addSectionView(req, res, 422, { values: read.values, errors: {}, problem: failureText(c.lang, { code: 'validation_failed', status: 422 }) });
      try {
        const added = await tenders.addSection(req.ctx, p.project.id, parsed.data);
        seeOther(res, sectionPath(c, added.section.id, { created: '1' }));
      } catch (err) {
        if (!pageFailure(err)) throw err;
        return addSectionView(req, res, err.status, { values: read.values, ...refusal(c, err, res, SECTION_FIELDS, { maxBidBondPercent: centre.maxBidBondPercent }) });
      }
    },
    refused((req, res, status, problem) => addSectionView(req, res, status, { values: {}, errors: {}, problem })),
  );

  // ——— a draft section edited, and published ———
  const editSectionView = async (req: Request, res: Response, status: number, form: FormState | null, saved = false) => {
    const d = await sectionInScope(tenders, req, req.params.id as string);
    const c = await context(req, res, { form: true });
    const rules = await centres.rules(d.section.centre);
    if (d.section.state !== 'draft') return seeOther(res, sectionPath(c, d.section.id));
    const page = sectionFormPage(c, {
      mode: 'edit',
      sectionId: d.section.id,
      code: d.section.code,
      centre: choicesOf(c, rules),
      form: withValues(form, sectionValues(d.section, rules.settings.timeZone)),
      saved,
    });
    sendPage(res, status, page);
  };
  router.get('/staff/sections/:id/edit', staffOnly, (req, res) => editSectionView(req, res, 200, null, queryText(req, 'saved') === '1'));
  router.post(
    '/staff/sections/:id/edit',
    formBody,
    tokens.verify,
    staffOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const d = await sectionInScope(tenders, req, req.params.id as string);
      const centre = choicesOf(c, await centres.rules(d.section.centre));
      const read = readSectionForm(c, req.body as Body, centre);
      if (Object.keys(read.errors).length) return editSectionView(req, res, 422, { values: read.values, errors: read.errors });
      const parsed = sectionPatch.safeParse(read.input);
      if (!parsed.success) return editSectionView(req, res, 422, { values: read.values, errors: {}, problem: failureText(c.lang, { code: 'validation_failed', status: 422 }) });
      try {
        await tenders.updateSection(req.ctx, d.section.id, parsed.data);
      } catch (err) {
        if (!pageFailure(err)) throw err;
        return editSectionView(req, res, err.status, { values: read.values, ...refusal(c, err, res, SECTION_FIELDS, { maxBidBondPercent: centre.maxBidBondPercent }) });
      }
      seeOther(res, href(c, `/staff/sections/${encodeURIComponent(d.section.id)}/edit`, { saved: '1' }));
    },
    refused((req, res, status, problem) => editSectionView(req, res, status, { values: {}, errors: {}, problem })),
  );

  // Publication: a refusal comes back on the section's form, the broken rule at its field.
  router.post(
    '/staff/sections/:id/publish',
    formBody,
    tokens.verify,
    staffOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const d = await sectionInScope(tenders, req, req.params.id as string);
      const rules = await centres.rules(d.section.centre);
      try {
        await tenders.publish(req.ctx, d.section.id);
      } catch (err) {
        if (!pageFailure(err) || d.section.state !== 'draft') throw err;
        const r = refusal(c, err, res, SECTION_FIELDS, { maxBidBondPercent: rules.settings.maxBidBondPercent });
        const problem = r.problem ?? c.s.staff.publishRefused;
        return editSectionView(req, res, err.status, { values: sectionValues(d.section, rules.settings.timeZone), errors: r.errors, problem });
      }
      seeOther(res, sectionPath(c, d.section.id, { published: '1' }));
    },
    refused((req, res, status, problem) => editSectionView(req, res, status, { values: {}, errors: {}, problem })),
  );

  return router;

  /** A post refused as a whole (an expired form token): the form again with the problem; a cross-site post stays an error. */
  function refused(render: (req: Request, res: Response, status: number, problem: string) => Promise<void>) {
    return async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 404 || err.code === 'cross_site_request' || !req.ctx?.actor) return next(err);
      const c: Ctx = await context(req, res, { form: true });
      await render(req, res, err.status, failureText(c.lang, failureOf(err, res)));
    };
  }
}
