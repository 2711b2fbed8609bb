import { Router } from 'express';
import type { ApiRegistry } from '../../server/http/route';
import {
  answerBody,
  declineBody,
  excludeBody,
  evaluationAwardResponse,
  evaluationObjectionResponse,
  evaluationResponse,
  objectionBody,
  reserveBody,
  reserveResponse,
  scoresBody,
} from './evaluation-schemas';
import type { EvaluationService } from './evaluation-service';

export function evaluationRoutes(evaluation: EvaluationService, registry: ApiRegistry): Router {
  const router = Router();
  const op = 'operator of the centre, admin';

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/reserve',
    tag: 'evaluation',
    summary:
      "Set (or replace) the sealed reserve price (底价) of a land or property section before the deadline: an age file of the amount, sealed to the section's opening recipient. Decrypted at the evaluation with the opening key.",
    access: op,
    body: reserveBody,
    response: reserveResponse,
    handler: async ({ ctx, params, body }) => evaluation.setReserve(ctx, params.id!, body.sealed),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/evaluation/start',
    tag: 'evaluation',
    summary: "Start the evaluation of an opened section (opened → evaluating) with the section's evaluation method.",
    access: op,
    response: evaluationResponse,
    handler: async ({ ctx, params }) => evaluation.start(ctx, params.id!),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/evaluation/scores',
    tag: 'evaluation',
    summary: "Comprehensive scoring: the weights and the evaluators' scores (0–100) per bid per criterion; every score is kept and audited.",
    access: op,
    body: scoresBody,
    response: evaluationResponse,
    handler: async ({ ctx, params, body }) => evaluation.enterScores(ctx, params.id!, body),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/evaluation/exclusions',
    tag: 'evaluation',
    summary: "Exclude a responsive bid from the ranking with the committee's reason (否决投标, TBLS 51), while evaluating; listed with the excluded bids and their reasons.",
    access: op,
    body: excludeBody,
    response: evaluationResponse,
    handler: async ({ ctx, params, body }) => evaluation.exclude(ctx, params.id!, body.bidId, body.reason),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/evaluation/publicity',
    tag: 'evaluation',
    summary:
      "Conclude the evaluation: up to 3 ranked candidates are published for the centre's candidatePublicityDays (evaluating → publicity), or the section fails with the reason (废标 / no deal).",
    access: op,
    response: evaluationResponse,
    handler: async ({ ctx, params }) => evaluation.conclude(ctx, params.id!),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/evaluation',
    tag: 'evaluation',
    summary:
      'The evaluation result: candidates, ranks, prices, scores per evaluator, the reserve once opened, objections. Public from the publicity on; staff of the centre see a live preview while evaluating.',
    access: 'public from the publicity on',
    public: true,
    response: evaluationResponse,
    handler: async ({ ctx, params }) => evaluation.view(ctx, params.id!),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/evaluation/objections',
    tag: 'evaluation',
    summary: 'Object to the candidates during the publicity (TBLS 54); 409 publicity_over after it.',
    access: 'bidder of the section',
    body: objectionBody,
    status: 201,
    response: evaluationObjectionResponse,
    handler: async ({ ctx, params, body }) => evaluation.raiseObjection(ctx, params.id!, body.text),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/evaluation/objections/:oid/answer',
    tag: 'evaluation',
    summary: 'Answer an objection to the candidates (within 3 days, TBLS 54).',
    access: op,
    body: answerBody,
    response: evaluationObjectionResponse,
    handler: async ({ ctx, params, body }) => evaluation.answerObjection(ctx, params.id!, params.oid!, body.answer),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/evaluation/decline',
    tag: 'evaluation',
    summary: 'A candidate declines (by itself, or recorded by an operator) with a reason; the award goes to the next rank.',
    access: 'the candidate, operator of the centre',
    body: declineBody,
    response: evaluationResponse,
    handler: async ({ ctx, params, body }) => evaluation.decline(ctx, params.id!, body.rank, body.reason),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/evaluation/award',
    tag: 'evaluation',
    summary: 'Award the best candidate that has not declined (publicity → awarded), after the publicity and with every objection answered; records the award and its notice.',
    access: op,
    response: evaluationAwardResponse,
    handler: async ({ ctx, params }) => evaluation.award(ctx, params.id!),
  });

  return router;
}
