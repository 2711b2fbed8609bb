// The API's error codes in the page's language: the one map every page uses to tell a person what
// went wrong, so a Chinese page never shows the API's English message. An English page shows the
// API's own message where it is more specific (it names the field, the rule, the state).
import type { Lang } from './strings';

/** What a page knows of a failure: the AppError's code and status, its details, and the wait of a rate limit. */
export interface Failure {
  code: string;
  status: number;
  message?: string;
  details?: Array<{ field?: string; rule?: string; message: string }>;
  /** Seconds until a rate limit lets the address try again (the Retry-After the limiter set). */
  retryAfterSeconds?: number;
  /** Which budget ran out, for a message that says what was limited. */
  limit?: 'login' | 'password' | 'registration';
}

type Text = { zh: string; en: string };

const TEXTS: Record<string, Text> = {
  invalid_credentials: { zh: '用户名或密码不正确，或该账户已停用。', en: 'The username or password is wrong, or the account is disabled.' },
  wrong_password: { zh: '当前密码不正确。', en: 'The current password is wrong.' },
  cross_site_request: { zh: '来自其他网站的请求不能在本平台进行任何更改。', en: 'Requests from another site cannot change anything here.' },
  form_token_invalid: {
    zh: '表单已过期或不是从本平台页面提交的。请重新打开本页后再提交。',
    en: 'This form has expired or was not sent from a page of this platform. Open the page again and resend it.',
  },
  unauthenticated: { zh: '请先登录。', en: 'Please sign in first.' },
  forbidden: { zh: '您的账户无权进行此操作。', en: 'Your account may not do this.' },
  not_found: { zh: '未找到该页面或记录。', en: 'No such page or record.' },
  organisation_not_approved: { zh: '您的单位尚未通过交易中心审核，暂不能进行此操作。', en: 'Your organisation is not approved yet, so this is not possible yet.' },
  conflict: { zh: '该操作与现有记录冲突。', en: 'This conflicts with an existing record.' },
  invalid_transition: { zh: '当前状态下不能进行此操作。', en: 'This is not possible in the current state.' },
  validation_failed: { zh: '提交的内容有误，请检查后重试。', en: 'Some of what was sent is not valid; check it and try again.' },
  bad_request: { zh: '请求有误，请检查后重试。', en: 'The request is not valid; check it and try again.' },
  rule_violation: { zh: '该操作不符合交易中心的规则。', en: "This is against the centre's rules." },
  publicity_over: { zh: '中标候选人公示期已结束（或尚未开始），不能再对候选人提出异议。', en: 'The candidate publicity is over (or has not begun): objections to the candidates are no longer taken.' },
  not_in_publicity: { zh: '该项目不在中标候选人公示期内。', en: 'This section is not in its candidate publicity.' },
  publicity_not_over: { zh: '中标候选人公示期尚未结束。', en: 'The candidate publicity has not ended yet.' },
  objections_unanswered: { zh: '尚有异议未答复，请先答复全部异议。', en: 'Some objections are not answered yet; answer every objection first.' },
  opening_in_progress: { zh: '开标正在进行中，请稍后再试。', en: 'The opening is under way; try again shortly.' },
  section_failed: { zh: '该项目已流标（废标）。', en: 'This section has failed (no valid outcome).' },
  org_not_approved: { zh: '您的单位尚未通过交易中心审核，暂不能进行此操作。', en: 'Your organisation is not approved yet, so this is not possible yet.' },
  deadline_passed: { zh: '投标截止时间已过（以平台时钟为准），不能再投标或撤回投标。', en: "The bid deadline has passed by the server's clock: no bid can be submitted or withdrawn any more." },
  'custody.too_early': { zh: '投标截止后才能提交开标密钥份额。', en: 'Shares are released at the opening, after the bid deadline.' },
  'custody.share_invalid': {
    zh: '提交的份额与该密钥的承诺不符，不是该标段的份额。请确认本浏览器中的加密密钥就是该份额所加密给的那把。',
    en: "The share does not lie on the key's commitments: it is not this section's share. Check that the encryption key in this browser is the one the share was encrypted to.",
  },
  challenge_expired: { zh: '证书申请挑战已过期，请重新申请证书。', en: 'The certificate challenge expired; ask for the certificate again.' },
  challenge_invalid: { zh: '证书申请挑战无效或已使用，请重新申请证书。', en: 'The certificate challenge is unknown or already used; ask for the certificate again.' },
  ca_not_valid: { zh: '平台 CA 当前不在有效期内，暂不能签发证书。请联系平台管理员。', en: 'The platform CA is not valid at this time and cannot issue certificates; tell the platform administrator.' },
  payload_too_large: { zh: '提交的内容太大。', en: 'What was sent is too large.' },
  internal_error: { zh: '平台内部出错，已记录。请稍后重试，如仍有问题请联系交易中心。', en: 'Something went wrong on our side; it has been logged. Try again, or tell the centre if it persists.' },
};

const LIMITS: Record<NonNullable<Failure['limit']> | 'other', Text> = {
  login: { zh: '密码错误次数过多，请{wait}后再试。', en: 'Too many wrong passwords; wait {wait} and try again.' },
  password: { zh: '当前密码错误次数过多，请{wait}后再试。', en: 'Too many wrong current passwords; wait {wait} and try again.' },
  registration: { zh: '来自您所在网络地址的单位注册过多，请{wait}后再试，或联系交易中心。', en: 'Too many registrations from your address; try again in {wait}, or ask the centre for help.' },
  other: { zh: '请求过于频繁，请{wait}后再试。', en: 'Too many requests; wait {wait} and try again.' },
};

/** "40 秒" / "3 分钟" / "40 seconds" / "3 minutes": a wait rounded up to whole minutes past one minute. */
export function waitIn(lang: Lang, seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return lang === 'en' ? `${s} second${s === 1 ? '' : 's'}` : `${s} 秒`;
  const m = Math.ceil(s / 60);
  return lang === 'en' ? `${m} minute${m === 1 ? '' : 's'}` : `${m} 分钟`;
}

/** Fields of validation failures the report page names (its period). */
const PERIOD_FIELDS = new Set(['from', 'to']);
const PERIOD: Text = {
  zh: '统计期间有误：起始日期和截止日期须写作 YYYY-MM-DD（如 2026-01-01），且起始日期不能晚于截止日期。',
  en: 'The period is not valid: write both dates as YYYY-MM-DD (e.g. 2026-01-01), the start not after the end.',
};

/** The sentence a page shows for a failure, in its language. */
export function failureText(lang: Lang, f: Failure): string {
  if (f.code === 'too_many_requests' || f.status === 429) {
    const t = LIMITS[f.limit ?? 'other'][lang];
    return t.replace('{wait}', waitIn(lang, f.retryAfterSeconds ?? 60));
  }
  if (lang === 'en' && f.message && f.status < 500) return f.message;
  if (f.details?.some((d) => d.field && PERIOD_FIELDS.has(d.field))) return PERIOD[lang];
  const known = TEXTS[f.code];
  if (known) return known[lang];
  if (lang === 'en' && f.message) return f.message;
  if (f.status >= 500) return TEXTS.internal_error![lang];
  return lang === 'en' ? `The request could not be completed (error code ${f.code}).` : `请求未能完成（错误代码 ${f.code}）。`;
}

/** The fields a failure names (details[].field), for putting its message next to the right input. */
export function failedFields(f: Failure): string[] {
  return (f.details ?? []).map((d) => d.field).filter((x): x is string => typeof x === 'string');
}
