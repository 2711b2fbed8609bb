// The pure pieces of the account pages: the messages for API error codes in each language, the
// wait of a rate limit in words, where a sign-in may go next, and the credit code's problems as facts.
import { expect } from 'chai';
import { checkCreditCode, creditCodeCheckChar } from '../../modules/orgs/credit-code';
import { safeNext } from '../../server/pages/safe-next';
import { creditCodeMessage } from '../../server/pages/registration-form';
import { ctxFor } from '../../templates/pages/layout';
import { failureText, waitIn } from '../../templates/pages/messages';

describe('page messages', () => {
  it('say a rate limit with its wait in the page language', () => {
    expect(waitIn('zh', 40)).to.equal('40 秒');
    expect(waitIn('zh', 61)).to.equal('2 分钟');
    expect(waitIn('en', 1)).to.equal('1 second');
    expect(waitIn('en', 900)).to.equal('15 minutes');
    expect(failureText('zh', { code: 'too_many_requests', status: 429, retryAfterSeconds: 900, limit: 'login' })).to.equal('密码错误次数过多，请15 分钟后再试。');
    expect(failureText('en', { code: 'too_many_requests', status: 429, retryAfterSeconds: 30, limit: 'registration' })).to.equal(
      'Too many registrations from your address; try again in 30 seconds, or ask the centre for help.',
    );
  });

  it('never show the API English on a Chinese page; the English page keeps the precise API message', () => {
    const notFound = { code: 'not_found', status: 404, message: 'The section was not found.' };
    expect(failureText('zh', notFound)).to.equal('未找到该页面或记录。');
    expect(failureText('en', notFound)).to.equal('The section was not found.');
    const unknown = { code: 'some_new_code', status: 409, message: 'Something precise.' };
    expect(failureText('zh', unknown)).to.equal('请求未能完成（错误代码 some_new_code）。');
    expect(failureText('en', { code: 'some_new_code', status: 409 })).to.equal('The request could not be completed (error code some_new_code).');
    // A 5xx never echoes a message, in either language.
    expect(failureText('en', { code: 'internal_error', status: 500, message: 'SQL: select …' })).to.not.contain('SQL');
  });
});

describe('safeNext (no open redirect)', () => {
  it('keeps local paths and drops anything another site could be read from', () => {
    expect(safeNext('/account')).to.equal('/account');
    expect(safeNext('/sections/x?lang=en#hall')).to.equal('/sections/x?lang=en#hall');
    for (const bad of [
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      'evil.example/x',
      '/\tevil',
      '/a\nb',
      '',
      null,
      undefined,
      '/login',
      '/logout?x=1',
      `/${'a'.repeat(2001)}`,
    ]) {
      expect(safeNext(bad as string), String(bad)).to.equal(null);
    }
  });
});

describe('credit code problems as facts', () => {
  it('a wrong check character names the one the first 17 characters give', () => {
    const body = '91350100M000100Y4';
    const r = checkCreditCode(`${body}4`);
    expect(r.ok).to.equal(false);
    if (!r.ok) {
      expect(r.problem).to.deep.equal({ kind: 'check', expected: creditCodeCheckChar(body), found: '4' });
      expect(r.reason).to.contain('give "3" as the 18th, not "4"');
    }
    expect(creditCodeMessage(ctxFor('zh', 0), `${body}4`)).to.contain('应为“3”，而不是“4”');
    expect(creditCodeMessage(ctxFor('en', 0), `${body}4`)).to.contain('it must be "3", not "4"');
    expect(creditCodeMessage(ctxFor('zh', 0), `${body}3`)).to.equal(null);
  });

  it('other problems carry the position or character a page names', () => {
    const r = checkCreditCode('91350100M0001O0Y43');
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problem).to.deep.equal({ kind: 'character', character: 'O', position: 14 });
    expect(creditCodeMessage(ctxFor('zh', 0), '0135')).to.equal('统一社会信用代码须为 18 位，现在是 4 位。');
  });
});
