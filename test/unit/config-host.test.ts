// Where the server listens and how long it waits for a request: defaults and their checks.
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config';

describe('config: listening address and timeouts', () => {
  it('listens on 127.0.0.1 unless HOST says otherwise, in production too', () => {
    expect(loadConfig({}).host).to.equal('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production' }).host).to.equal('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).to.equal('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', HOST: '::' }).host).to.equal('::');
  });

  it('has request and header timeouts, and refuses headers allowed longer than the whole request', () => {
    const c = loadConfig({});
    expect(c.requestTimeoutMs).to.equal(3_600_000);
    expect(c.headersTimeoutMs).to.equal(20_000);
    expect(c.uploadMinBytesPerSecond).to.equal(16 * 1024);
    expect(c.uploadRateWindowMs).to.equal(30_000);
    expect(c.maxUploadsPerBidder).to.equal(2);
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' })).to.throw(ConfigError, /HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ MAX_UPLOADS_PER_BIDDER: '0' })).to.throw(ConfigError, /MAX_UPLOADS_PER_BIDDER/);
  });
});
