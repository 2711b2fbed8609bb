// The strings of the objection forms and lists on the opening hall (TBLS 44) and the section page
// during the candidate publicity (TBLS 54), in zh-CN and English. Joined into STRINGS as `objections`.

const zh = {
  openingTitle: '开标异议',
  publicityTitle: '对中标候选人的异议',
  openingIntro: '投标人对开标有异议的，应当在开标现场提出，招标人（交易中心）当场答复并记入开标记录（《招标投标法实施条例》第四十四条）。',
  publicityIntro: '投标人对评标结果有异议的，应当在中标候选人公示期间提出，交易中心自收到异议之日起 3 日内答复（《招标投标法实施条例》第五十四条）。',
  none: '尚无异议。',
  text: '异议内容',
  textHelp: '写明异议的事项和理由，最多 2000 字。提交后不能修改，将与答复一并公开。',
  submit: '提出异议',
  raised: '您的异议已提交，交易中心答复后将显示在此处。',
  raisedAt: '提出时间',
  answer: '答复',
  answeredAt: '答复时间',
  awaiting: '待答复',
  yours: '本单位提出',
  byBidder: '{bidder}提出',
  signInToObject: '本项目的{bidder}可登录后在此提出异议。',
  windowOpening: '开标期间（开标中及开标记录公布后、评标开始前）可提出异议。',
  windowPublicity: '公示期至 {at} 结束，期间可提出异议。',
  fieldRequired: '请填写异议内容。',
  fieldTooLong: '异议内容最多 2000 字，现为 {n} 字。',
  fieldInvisible: '异议内容含有不可见的控制字符或方向控制字符，请删除后再提交。',
  list: '已提出的异议',
};

const en: typeof zh = {
  openingTitle: 'Objections at the opening',
  publicityTitle: 'Objections to the candidates',
  openingIntro:
    'A bidder who objects to the opening raises it at the opening; the centre answers on the spot and the answer goes into the opening record (Regulations on the Implementation of the Tendering and Bidding Law, art. 44).',
  publicityIntro:
    'A bidder who objects to the evaluation result raises it during the candidate publicity; the centre answers within 3 days (Regulations on the Implementation of the Tendering and Bidding Law, art. 54).',
  none: 'No objections yet.',
  text: 'Your objection',
  textHelp: 'Say what you object to and why, up to 2000 characters. It cannot be changed once sent, and is published with its answer.',
  submit: 'Raise the objection',
  raised: 'Your objection has been sent; the answer will appear here.',
  raisedAt: 'Raised',
  answer: 'Answer',
  answeredAt: 'Answered',
  awaiting: 'Awaiting an answer',
  yours: 'Raised by your organisation',
  byBidder: 'Raised by a {bidder}',
  signInToObject: '{Bidder}s of this section can sign in to raise an objection here.',
  windowOpening: 'Objections are taken during the opening: while it runs and after its record is out, until the evaluation starts.',
  windowPublicity: 'The publicity ends at {at}; objections are taken until then.',
  fieldRequired: 'Write your objection.',
  fieldTooLong: 'An objection has at most 2000 characters; this one has {n}.',
  fieldInvisible: 'The objection contains invisible control or text-direction characters; remove them and send it again.',
  list: 'Objections raised',
};

export const OBJECTION_STRINGS = { zh, en };
