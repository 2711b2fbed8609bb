// The demo a newcomer sees after `npm start`: accounts for every role, bidder organisations, and
// projects in several states of the lifecycle. It runs through the real services, replaying the
// past with a manual clock, and only on an empty database. Returns the text to print once.
import { generatePassword } from '../../modules/accounts/passwords';
import { DAY, HOUR, ManualClock, type Clock } from '../../modules/core/clock';
import { SYSTEM_CONTEXT, type Actor, type RequestContext, type Role } from '../../modules/core/context';
import { creditCodeCheckChar } from '../../modules/orgs/credit-code';
import type { Database } from '../../db/connection';
import { createProjectBody } from '../../modules/tenders/tenders-schemas';
import { seedDemoOpening, type DemoBidder } from './seed-demo-opening';
import { localDate } from '../../modules/centres/calendar';
import { coversDemoHistory, importDemoHistory, seedDemoHistory, type DemoHistory } from './seed-demo-history';
import { type DemoCustody, publishDemoCustodyTender, submitDemoCustodyBids } from './seed-demo-custody';

const project = (input: unknown) => createProjectBody.parse(input);

// Imported lazily to keep db/ free of a static dependency on the composition root.
type BuildServices = typeof import('../app').buildServices;

export async function seedDemo(
  existing: { accounts: { countUsers(): Promise<number> } },
  clock: Clock,
  build?: { db: Database; config: Parameters<BuildServices>[0]['config']; buildServices: BuildServices },
): Promise<string | null> {
  if ((await existing.accounts.countUsers()) > 0) return null;
  if (!build) throw new Error('seedDemo needs the database and config to replay the demo history');
  const now = clock.now();
  // Accounts and bidder organisations date from 75 days ago, before the demo history begins.
  const past = new ManualClock(now - 75 * DAY);
  const s = build.buildServices({ config: build.config, db: build.db, clock: past });

  const lines: Array<[Role, string, string]> = [];
  const staff = async (username: string, displayName: string, role: Role, centres?: string[]) => {
    const password = generatePassword();
    const user = await s.accounts.createStaffUser(SYSTEM_CONTEXT, { username, displayName, role, password, centres }, { system: true });
    lines.push([role, username, password]);
    const actor: Actor = { userId: user.id, username, displayName, role, orgId: null, centres: user.centres };
    return { actor, ip: '127.0.0.1' } satisfies RequestContext;
  };

  const admin = await staff('admin', '系统管理员', 'admin');
  const operator = await staff('operator', '交易中心经办人', 'operator', ['procurement', 'construction', 'land', 'property']);
  await staff('land-operator', '土地交易部经办人', 'operator', ['land']);
  await staff('supervisor', '监督员', 'supervisor');
  await staff('auditor', '审计员', 'auditor');
  const custodian = await staff('custodian', '开标密钥保管人', 'custodian');

  const orgs = [
    { name: '合肥示范建设工程有限公司', body: '91340100MA2TG0001', approve: true, user: 'bidder-a' },
    { name: '庐州路桥建设有限公司', body: '91340100MA2TG0002', approve: true, user: 'bidder-b' },
    { name: '江淮智慧科技有限公司', body: '91340100MA2TG0003', approve: true, user: 'bidder-c' },
    { name: '巢湖环境工程有限公司', body: '91340100MA2TG0004', approve: false, user: 'bidder-d' },
  ];
  const demoBidders: DemoBidder[] = [];
  const demoPrices = ['2480000.00', '2350000.00', '2565000.00'];
  for (const o of orgs) {
    const password = generatePassword();
    const { organisation, representatives } = await s.orgs.register(
      { actor: null, ip: '127.0.0.1' },
      {
        name: o.name,
        creditCode: o.body + creditCodeCheckChar(o.body),
        contactName: '张经理',
        contactPhone: '0551-65550000',
        representatives: [{ username: o.user, displayName: `${o.name.slice(0, 4)}投标代表`, password }],
      },
    );
    lines.push(['bidder', o.user, password]);
    if (o.approve) {
      await s.orgs.approve(operator, organisation.id, '资料齐全');
      const actor = (await s.accounts.actorById(representatives[0]!.id))!;
      demoBidders.push({ ctx: { actor, ip: '127.0.0.1' }, orgId: organisation.id, name: o.name, creditCode: organisation.creditCode, price: demoPrices[demoBidders.length]! });
    }
  }

  // The recent past, only if the platform CA already existed then (a fresh certs directory; see
  // prepareDemoPlatformKeys): a procurement tender opened, evaluated, awarded and contracted, and a
  // land listing sold above its starting price. Leaves the clock 26 days ago.
  const history: DemoHistory | null = coversDemoHistory(s, now) ? await seedDemoHistory(s, past, now, operator, demoBidders) : null;

  // A construction tender that was published 26 days ago and closed 5 days ago.
  past.set(now - 26 * DAY);
  const closed = await s.tenders.createProject(
    operator,
    project({
      centre: 'construction',
      title: '滨湖新区第三小学新建工程',
      tenderee: '合肥市滨湖新区建设投资有限公司',
      sections: [{ title: '施工总承包', referencePrice: '38650000.00', bidBond: '500000.00', bidDeadlineAt: now - 5 * DAY }],
    }),
  );
  await s.tenders.publish(operator, closed.sections[0]!.id);

  // A land listing whose notice went out 25 days ago; its bid window opened 4 days ago.
  past.set(now - 25 * DAY);
  const land = await s.tenders.createProject(
    operator,
    project({
      centre: 'land',
      title: '包河区 BH2026-15 号地块国有建设用地使用权',
      tenderee: '合肥市自然资源和规划局',
      sections: [{ title: 'BH2026-15 号地块', procedure: 'listing', referencePrice: '412000000.00', bidBond: '8000000.00', bidOpensAt: now - 4 * DAY, bidDeadlineAt: now + 12 * DAY }],
    }),
  );
  await s.tenders.publish(operator, land.sections[0]!.id);

  // The construction centre's keys held by the time lock and the demo custodian, and a tender that
  // waits for the custodian's share at its deadline (22 days ago, when the CA covers it).
  const openingAt = now + build.config.demoOpeningDelayMs;
  const custody: DemoCustody | null = history ? await publishDemoCustodyTender(s, past, now, { admin, operator, custodian }, openingAt, build.config.dataDir) : null;

  // Published today: procurement open for bids, and a property listing.
  past.set(now - 2 * HOUR);
  const procurement = await s.tenders.createProject(
    operator,
    project({
      centre: 'procurement',
      title: '市政务服务中心办公设备采购',
      tenderee: '合肥市政务服务管理局',
      sections: [
        { title: '第一包：台式计算机', referencePrice: '1280000.00', bidBond: '25000.00', bidDeadlineAt: now + 22 * DAY },
        { title: '第二包：打印复印设备', referencePrice: '460000.00', bidDeadlineAt: now + 22 * DAY },
      ],
    }),
  );
  for (const section of procurement.sections) await s.tenders.publish(operator, section.id);
  await s.tenders.clarify(operator, procurement.sections[0]!.id, {
    title: '关于技术参数的澄清',
    body: '第一包技术参数中“内存不低于16GB”修改为“内存不低于32GB”。',
    affectsBids: true,
  });
  const property = await s.tenders.createProject(
    operator,
    project({
      centre: 'property',
      title: '市属国有企业闲置办公用房转让',
      tenderee: '合肥市产权交易中心（受托）',
      sections: [{ title: '蜀山区长江西路 88 号 3 层', procedure: 'listing', referencePrice: '8600000.00', bidDeadlineAt: now + 35 * DAY }],
    }),
  );
  await s.tenders.publish(operator, property.sections[0]!.id);

  // Still being drafted, and one cancelled with a reason.
  await s.tenders.createProject(
    operator,
    project({
      centre: 'construction',
      title: '南淝河沿岸绿道提升工程',
      tenderee: '合肥市园林局',
      sections: [{ title: '施工', referencePrice: '12500000.00', referenceKind: 'control_price', bidDeadlineAt: now + 40 * DAY }],
    }),
  );
  const cancelled = await s.tenders.createProject(
    operator,
    project({
      centre: 'procurement',
      title: '会议室音视频系统采购',
      tenderee: '合肥市机关事务管理局',
      sections: [{ title: '音视频系统', referencePrice: '390000.00', bidDeadlineAt: now + 25 * DAY }],
    }),
  );
  await s.tenders.publish(operator, cancelled.sections[0]!.id);
  await s.tenders.cancel(operator, cancelled.sections[0]!.id, '采购需求发生重大变化，终止本次采购');

  // Catch the lifecycle up with the present: closes the tender whose deadline has passed.
  past.set(now);
  await s.lifecycle.advanceDue();

  // Three sealed bids for a tender that opens by itself a few minutes from now.
  const openingId = await seedDemoOpening(s, past, now, operator, demoBidders, build.config.demoOpeningDelayMs);
  if (custody) await submitDemoCustodyBids(s, custody, demoBidders);

  // Earlier years' results, imported as a centre adopting the platform would (2007, 2024, 2025).
  past.set(now);
  await importDemoHistory(s, operator);
  const today = localDate(now, 'Asia/Shanghai');

  const demoOpensAt = now + build.config.demoOpeningDelayMs;
  const openingZone = (await s.centres.rules('procurement')).settings.timeZone;
  const width = Math.max(...lines.map(([, u]) => u.length));
  return (
    [
      '',
      'Demo data created. Demo accounts (the passwords are shown only this once):',
      ...lines.map(([role, user, pw]) => `  ${role.padEnd(10)} ${user.padEnd(width)}  ${pw}`),
      '',
      `The demo tender ${openingId} holds three sealed bids and opens by itself at`,
      `  ${zonedTime(demoOpensAt, openingZone)} in the centre's time zone (${openingZone}), ${new Date(demoOpensAt).toISOString()} UTC.`,
      'Watch it on the portal (at the address printed when the server listens):',
      `  its page          /sections/${openingId}`,
      `  its opening hall  /sections/${openingId}/hall`,
      `its opening record will be at /api/sections/${openingId}/opening-record (and .pdf).`,
      '',
      ...(custody
        ? [
            `The construction centre's opening keys are held by the time lock and the custodian. Its tender ${custody.code}`,
            `(${custody.sectionId}) holds three sealed bids and, after its deadline at ${new Date(custody.deadline).toISOString()}, waits for the`,
            "custodian's share. The custodian's encryption key (made by the demo, mode 0600) is",
            `  ${custody.keyFile}`,
            'Release the share signed in as custodian at /account/custody, or from the command line:',
            `  ETENDER_TOKEN=$(npm run -s etender -- token create --user custodian) npm run etender -- share release --url ${build.config.publicUrl ?? `http://127.0.0.1:${build.config.port}`} --section ${custody.sectionId} --key ${custody.keyFile}`,
            '',
          ]
        : []),
      ...(history
        ? [
            `A completed procurement tender ${history.procurementId} (opened 35 days ago, awarded, contract signed):`,
            `  opening record  /api/sections/${history.procurementId}/opening-record  and  /api/sections/${history.procurementId}/opening-record.pdf`,
            `  evaluation      /api/sections/${history.procurementId}/evaluation  and the report  /api/sections/${history.procurementId}/evaluation-report(.pdf)`,
            `  award notice    /api/sections/${history.procurementId}/award  and  /api/sections/${history.procurementId}/award-notice.pdf`,
            `  dossier         /api/sections/${history.procurementId}/dossier.pdf  (signed in as auditor or supervisor)`,
            `A land listing ${history.landId} sold above its starting price: /api/sections/${history.landId}/evaluation and /award.`,
          ]
        : [
            "The completed tender and land deal of the demo history, and the custodian's construction tender, were",
            'skipped: the platform CA in the certs directory did not exist yet 40 days ago. Start with an empty certs',
            'directory and database to see them.',
          ]),
      'Rates (savings and value-added, per centre and combined, with 2024–2025 imported history):',
      `  /api/reports/rates?from=2024-01-01&to=${today}  (add &format=pdf or &format=csv)`,
      "The model centre's 2007 headline, from imported results:",
      '  /api/reports/rates?from=2007-01-01&to=2007-12-31  → "headline"',
      '',
    ].join('\n') + '\n'
  );
}

/** "2026-12-01 17:45:00 (UTC+08:00)": an instant as the clocks of `timeZone` show it. */
export function zonedTime(ms: number, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  const offset = p.timeZoneName === 'GMT' ? 'UTC+00:00' : String(p.timeZoneName).replace('GMT', 'UTC');
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} (${offset})`;
}
