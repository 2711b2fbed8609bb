// The named access rules: who may act for a centre, and which states come before the deadline.
import { expect } from 'chai';
import { mayManageCentre } from '../../modules/core/access';
import type { Actor, Role } from '../../modules/core/context';
import { isBeforeDeadline, SECTION_STATES } from '../../modules/lifecycle/lifecycle';

const actor = (role: Role, centres: string[] = []): Actor => ({ userId: 'u', username: 'u', displayName: 'u', role, orgId: null, centres });

describe('access rules', () => {
  it('an admin, or an operator of that centre, may act for a centre; nobody else', () => {
    expect(mayManageCentre(actor('admin'), 'land')).to.equal(true);
    expect(mayManageCentre(actor('operator', ['land']), 'land')).to.equal(true);
    expect(mayManageCentre(actor('operator', ['procurement']), 'land')).to.equal(false);
    for (const role of ['supervisor', 'auditor', 'custodian', 'bidder'] as const) expect(mayManageCentre(actor(role, ['land']), 'land'), role).to.equal(false);
    expect(mayManageCentre(null, 'land')).to.equal(false);
  });
  it('draft, published and bidding are before the deadline; every later state is not', () => {
    expect(SECTION_STATES.filter(isBeforeDeadline)).to.deep.equal(['draft', 'published', 'bidding']);
  });
});
