import { Router } from 'express';
import { sectionDetailSchema, sectionListSchema } from '../formats/section';
import type { ApiRegistry } from '../../server/http/route';
import { badRequest } from '../core/errors';
import {
  cancelBody,
  clarificationBody,
  clarificationResponse,
  createProjectBody,
  documentQuery,
  documentResponse,
  listProjectsQuery,
  listSectionsQuery,
  plainSectionResponse,
  projectResponse,
  projectsResponse,
  projectWithSectionsResponse,
  publishedSectionResponse,
  retenderBody,
  sectionInput,
  sectionPatch,
  updateProjectBody,
} from './tenders-schemas';
import type { TendersService } from './tenders-service';

export function tendersRoutes(tenders: TendersService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'post',
    path: '/api/projects',
    tag: 'tenders',
    summary: 'Create a project (项目) with one or more sections (标段/包), all as drafts.',
    access: 'operator of the centre, admin',
    body: createProjectBody,
    status: 201,
    response: projectWithSectionsResponse,
    handler: async ({ ctx, body }) => tenders.createProject(ctx, body),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/projects',
    tag: 'tenders',
    summary: 'Projects of the centres you work for (all for supervisors, auditors and admins).',
    access: 'staff',
    query: listProjectsQuery,
    response: projectsResponse,
    handler: async ({ ctx, query }) => ({ projects: await tenders.listProjects(ctx, query.centre) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/projects/:id',
    tag: 'tenders',
    summary: 'One project with all its sections, drafts included.',
    access: 'staff of the centre, supervisor, auditor, admin',
    response: projectWithSectionsResponse,
    handler: async ({ ctx, params }) => tenders.getProject(ctx, params.id!),
  });

  registry.add(router, {
    method: 'patch',
    path: '/api/projects/:id',
    tag: 'tenders',
    summary: "Change a project's title, tenderee or description.",
    access: 'operator of the centre, admin',
    body: updateProjectBody,
    response: projectResponse,
    handler: async ({ ctx, params, body }) => tenders.updateProject(ctx, params.id!, body),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/projects/:id/sections',
    tag: 'tenders',
    summary: 'Add a section to a project, as a draft.',
    access: 'operator of the centre, admin',
    body: sectionInput,
    status: 201,
    response: plainSectionResponse,
    handler: async ({ ctx, params, body }) => tenders.addSection(ctx, params.id!, body),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections',
    public: true,
    tag: 'tenders',
    summary: 'Published sections (the public list); staff also see the drafts of their centres.',
    access: 'anyone',
    query: listSectionsQuery,
    response: sectionListSchema,
    handler: async ({ ctx, query }) => ({ sections: await tenders.listSections(ctx, query) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id',
    public: true,
    tag: 'tenders',
    summary: 'A section with its project, documents and clarifications. Nothing about bidders or downloads.',
    access: 'anyone once published; staff of the centre for drafts',
    response: sectionDetailSchema,
    handler: async ({ ctx, params }) => tenders.getSection(ctx, params.id!),
  });

  registry.add(router, {
    method: 'patch',
    path: '/api/sections/:id',
    tag: 'tenders',
    summary: 'Edit a draft section.',
    access: 'operator of the centre, admin',
    body: sectionPatch,
    response: plainSectionResponse,
    handler: async ({ ctx, params, body }) => tenders.updateSection(ctx, params.id!, body),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/publish',
    tag: 'tenders',
    summary: "Publish the notice now; the timeline is checked against the centre's minimum periods (422 naming the rule).",
    access: 'operator of the centre, admin',
    response: publishedSectionResponse,
    handler: async ({ ctx, params }) => tenders.publish(ctx, params.id!),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/cancel',
    tag: 'tenders',
    summary: 'Cancel a section before award, with a reason.',
    access: 'operator of the centre, admin',
    body: cancelBody,
    response: plainSectionResponse,
    handler: async ({ ctx, params, body }) => tenders.cancel(ctx, params.id!, body.reason),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/retender',
    tag: 'tenders',
    summary: 'Re-tender a failed section as the next round of the same project: a new draft (code …-R2) with the same lot and settings; give it a new timeline, then publish it.',
    access: 'operator of the centre, admin',
    body: retenderBody,
    status: 201,
    response: plainSectionResponse,
    handler: async ({ ctx, params, body }) => tenders.retender(ctx, params.id!, body),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/clarifications',
    tag: 'tenders',
    summary: 'Issue a clarification or amendment; one affecting bids less than 15 days before the deadline must move the deadline (newBidDeadlineAt).',
    access: 'operator of the centre, admin',
    body: clarificationBody,
    status: 201,
    response: clarificationResponse,
    handler: async ({ ctx, params, body }) => tenders.clarify(ctx, params.id!, body),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/documents',
    tag: 'tenders',
    summary: 'Attach a tender document to a draft: the request body is the file itself (any Content-Type), streamed; ?name= gives its file name.',
    access: 'operator of the centre, admin',
    query: documentQuery,
    status: 201,
    openapi: { requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } },
    response: documentResponse,
    handler: async ({ ctx, params, query, req }) => {
      if (req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined) {
        throw badRequest('Send the file as the request body.');
      }
      const declared = req.headers['content-length'] ? Number(req.headers['content-length']) : null;
      const mediaType = String(req.headers['content-type'] ?? 'application/octet-stream').slice(0, 100);
      return tenders.uploadDocument(ctx, params.id!, { name: query.name, mediaType, declaredSize: declared, stream: req });
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/documents/:documentId',
    public: true,
    tag: 'tenders',
    summary: 'Download a tender document (who downloads is never recorded).',
    access: 'anyone once published',
    responseFile: { mediaTypes: ['application/octet-stream'], description: 'The file, with the media type it was uploaded with' },
    handler: async ({ ctx, params, res }) => {
      const { document, stream } = await tenders.openDocument(ctx, params.id!, params.documentId!);
      res.setHeader('Content-Type', document.mediaType);
      res.setHeader('Content-Length', String(document.size));
      res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(document.name)}`);
      res.setHeader('X-Content-SHA256', document.sha256);
      stream.pipe(res);
      return undefined;
    },
  });

  return router;
}
