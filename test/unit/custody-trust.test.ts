import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../server/config';
import { checkCustodyTrust, custodyTrust } from '../../server/custody-trust';

const centres = (custody?: { threshold: number; members: string[] }) => ({
  list: async () => [
    { code: 'procurement', settings: { custody } as never },
    { code: 'land', settings: {} as never },
  ],
});

describe('custody trust at start: who can open early is said, and production refuses host-trusted custody', () => {
  it('drand time locks trust nobody; a local beacon or the platform timer trusts the host', async () => {
    expect((await custodyTrust({ timeLockBeacon: 'drand', certsDir: '/c' }, centres())).hostTrustedBecause).to.deep.equal([]);
    const local = await custodyTrust({ timeLockBeacon: 'local', certsDir: '/c' }, centres());
    expect(local.hostTrustedBecause.join()).to.contain('LOCAL beacon whose key is /c/beacon.key');
    const timer = await custodyTrust({ timeLockBeacon: 'drand', certsDir: '/c' }, centres({ threshold: 1, members: ['platform-timer'] }));
    expect(timer.hostTrustedBecause.join()).to.contain('procurement make the platform timer (/c/timer.key.pem) a custodian');
  });

  it('refuses host-trusted custody in production unless TRUST_HOST_CUSTODY=true; warns elsewhere', async () => {
    const trust = await custodyTrust({ timeLockBeacon: 'local', certsDir: '/c' }, centres());
    expect(() => checkCustodyTrust({ production: true, trustHostCustody: false }, trust)).to.throw(ConfigError, /TRUST_HOST_CUSTODY=true/);
    expect(checkCustodyTrust({ production: true, trustHostCustody: true }, trust)).to.match(/can open bids before their deadline/);
    expect(checkCustodyTrust({ production: false, trustHostCustody: false }, trust)).to.match(/development and offline trials only/);
    expect(checkCustodyTrust({ production: true, trustHostCustody: false }, { hostTrustedBecause: [] })).to.equal(null);
  });

  it('production defaults to drand relays with quicknet pinned; bad beacon settings stop the start with a message', () => {
    const prod = loadConfig({ NODE_ENV: 'production' });
    expect(prod.timeLockBeacon).to.equal('drand');
    expect(prod.drandUrls.length).to.be.at.least(3);
    expect(prod.drandChain.hash).to.equal('52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971');
    expect(loadConfig({}).timeLockBeacon).to.equal('local');
    expect(() => loadConfig({ TIME_LOCK_BEACON: 'ntp' })).to.throw(ConfigError, /TIME_LOCK_BEACON/);
    expect(() => loadConfig({ DRAND_URLS: 'ftp://x' })).to.throw(ConfigError, /DRAND_URLS/);
    expect(() => loadConfig({ DRAND_CHAIN_INFO: '{"hash":"x"}' })).to.throw(ConfigError, /DRAND_CHAIN_INFO/);
    expect(() =>
      loadConfig({ DRAND_CHAIN_INFO: JSON.stringify({ public_key: 'a'.repeat(192), hash: 'b'.repeat(64), period: 30, genesis_time: 1595431050, schemeID: 'pedersen-bls-chained' }) }),
    ).to.throw(ConfigError, /schemeID/);
  });
});
