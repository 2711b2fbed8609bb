// One procurement section published "25 days ago" on the injected clock (its notice period served),
// whose deadline falls at `deadline` in real time: the set-up of the tests and benchmarks that upload
// over real HTTP before a real deadline (the surge benchmark, the fault tests).
import { DAY, type ManualClock } from '../../modules/core/clock';
import type { RequestContext } from '../../modules/core/context';
import { createProjectBody } from '../../modules/tenders/tenders-schemas';
import type { Services } from '../../server/app';

export interface OpenSection {
  id: string;
  code: string;
  /** The age recipient bids are sealed to. */
  recipient: string;
  deadline: number;
}

export async function publishOpenSection(services: Services, operator: RequestContext, clock: ManualClock, o: { title: string; deadline: number }): Promise<OpenSection> {
  clock.set(o.deadline - 25 * DAY);
  const project = await services.tenders.createProject(
    operator,
    createProjectBody.parse({
      centre: 'procurement',
      title: o.title,
      tenderee: '市政务服务管理局',
      sections: [{ title: '第一包', referencePrice: '1000000.00', bidBond: '20000.00', bidDeadlineAt: o.deadline }],
    }),
  );
  const s = project.sections[0]!;
  await services.tenders.publish(operator, s.id);
  const recipient = await services.custody.recipientOf(s.id);
  if (!recipient) throw new Error('the published section has no opening recipient');
  return { id: s.id, code: s.code, recipient, deadline: o.deadline };
}
