// The strings of the bidder pages' finishing pieces, in zh-CN and English: the opening key's
// fingerprint (section page, sealing page), the withdrawal receipt on "my bids", the receipt
// checker's findings in the page's language, the hall's objection form shown live. Joined into
// STRINGS (strings.ts) as `bidDetails`. The msg* strings travel to the page scripts as data-msg-*
// attributes; placeholders are {name}.

const zh = {
  // ——— the opening key's fingerprint ———
  fingerprint: '公钥指纹（SHA-256）',
  fingerprintHelp: '指纹是上面这串接收方字符串的 SHA-256，每 4 位十六进制一组。封存前请与公告核对接收方和指纹。',
  sealTo: '本次投标加密到的开标公钥',
  sealToNone: '选择标段后，这里显示其开标公钥和指纹。',
  msgRecipientMismatch: '平台现在给出的开标公钥与本页显示的不一致，已停止封存，未做任何处理。请重新打开本页，并与公告核对公钥指纹。',
  msgRecipientChecked: '开标公钥与本页显示的一致，指纹：',
  // ——— the withdrawal receipt ———
  withdrawalReceipt: '撤回回执',
  downloadWithdrawalReceipt: '下载撤回回执',
  verifyWithdrawal: '核验撤回回执',
  // ——— the receipt checker's findings ———
  msgFindingReceiptSignature: '回执签名无法用平台公布的回执公钥核验。',
  msgFindingPromiseSignature: '日志承诺的签名无法用平台公布的日志公钥核验。',
  msgFindingCheckpointSignature: '检查点签名无法用平台公布的日志公钥核验。',
  msgFindingInclusionProof: '包含证明推导不出检查点的根哈希。',
  msgFindingNotReceipt: '这不是回执。',
  msgFindingEntryNotJson: '日志条目不是 JSON。',
  msgFindingEntryOtherManifest: '日志条目指向另一份投标清单。',
  msgFindingEntryOtherCiphertext: '日志条目指向另一份密文。',
  msgFindingNoPromise: '回执不含日志的收录承诺。',
  msgFindingPromiseOtherManifest: '日志承诺指向另一份投标清单。',
  msgFindingPromiseOtherCiphertext: '日志承诺指向另一份密文。',
  msgFindingPromiseOtherSection: '日志承诺所属的标段与回执不一致。',
  msgFindingPromiseOtherTime: '日志承诺的时间与回执所记的时间不一致。',
  msgFindingEntryIndex: '日志条目不在所给的位置。',
  msgFindingCheckpointCover: '检查点不包含该条目。',
  msgFindingEntryNotAction: '日志条目不是本投标的“{action}”条目。',
  msgFindingPromiseNotAction: '日志承诺不是对本投标“{action}”条目的承诺。',
  msgFindingUnknownFormat: '无法识别的回执格式（{format}）。',
  msgFindingBreachId: '日志条目的编号与承诺的不同。',
  msgFindingBreachEntry: '日志条目不是所承诺的“{action}”条目（{id}）。',
  msgFindingBreachData: '日志条目的数据（摘要、大小或时间）与承诺的不同。',
  msgFindingOverdueHeld: '日志于 {promisedAt} 签名承诺在投标截止后 {minutes} 分钟内（即 {dueAt} 前）收录该条目，至今仍未收录。',
  msgFindingOverdueDenied: '日志于 {promisedAt} 签名承诺在投标截止后 {minutes} 分钟内（即 {dueAt} 前）收录该条目，现在却否认作过这项承诺。',
  msgFindingOther: '另有一项检查未通过（检查程序的原文见开发者控制台）。',
  msgActionSubmitted: '投标',
  msgActionWithdrawn: '撤回',
  msgPlatformAnswered: '平台未能回答（HTTP {status}）。',
  msgCheckerFailed: '本浏览器未能完成计算（例如不支持 Ed25519 签名）。请用 etender verify-receipt 核验。',
  // ——— the hall ———
  hallFormShown: '开标异议期已开始，可以在下方提出异议。',
};

const en: typeof zh = {
  fingerprint: 'Key fingerprint (SHA-256)',
  fingerprintHelp: 'The fingerprint is the SHA-256 of the recipient string above, in groups of 4 hex digits. Before sealing, compare the recipient and its fingerprint with the published notice.',
  sealTo: 'The opening key this bid is sealed to',
  sealToNone: 'Choose a section to see its opening key and fingerprint here.',
  msgRecipientMismatch:
    'The platform now gives another opening key than the one this page shows; sealing stopped and nothing was done. Open the page again and compare the key fingerprint with the published notice.',
  msgRecipientChecked: 'The opening key is the one this page shows, fingerprint:',
  withdrawalReceipt: 'Withdrawal receipt',
  downloadWithdrawalReceipt: 'Download the withdrawal receipt',
  verifyWithdrawal: 'Verify the withdrawal receipt',
  msgFindingReceiptSignature: "The receipt signature does not verify with the platform's published receipt key.",
  msgFindingPromiseSignature: "The log promise's signature does not verify with the platform's published log key.",
  msgFindingCheckpointSignature: "The checkpoint signature does not verify with the platform's published log key.",
  msgFindingInclusionProof: 'The inclusion proof does not lead to the checkpoint root.',
  msgFindingNotReceipt: 'This is not a receipt.',
  msgFindingEntryNotJson: 'The log entry is not JSON.',
  msgFindingEntryOtherManifest: 'The log entry names another manifest.',
  msgFindingEntryOtherCiphertext: 'The log entry names another ciphertext.',
  msgFindingNoPromise: 'The receipt carries no promise of inclusion.',
  msgFindingPromiseOtherManifest: 'The promise names another manifest.',
  msgFindingPromiseOtherCiphertext: 'The promise names another ciphertext.',
  msgFindingPromiseOtherSection: 'The promise is released by another section than the receipt names.',
  msgFindingPromiseOtherTime: 'The promise was given at another time than the receipt states.',
  msgFindingEntryIndex: 'The log entry is not at the index given.',
  msgFindingCheckpointCover: 'The checkpoint does not cover the entry.',
  msgFindingEntryNotAction: 'The log entry is not the “{action}” entry of this bid.',
  msgFindingPromiseNotAction: 'The promise is not of the “{action}” entry of this bid.',
  msgFindingUnknownFormat: 'Unknown receipt format ({format}).',
  msgFindingBreachId: 'The log entry has another id than the promised one.',
  msgFindingBreachEntry: 'The log entry is not the promised “{action}” entry ({id}).',
  msgFindingBreachData: 'The log entry carries other data than the promise (digests, size or time).',
  msgFindingOverdueHeld: 'On {promisedAt} the log promised to include this entry within {minutes} minutes of the close of bidding, i.e. by {dueAt}, and still holds it back.',
  msgFindingOverdueDenied: 'On {promisedAt} the log promised to include this entry within {minutes} minutes of the close of bidding, i.e. by {dueAt}, and now denies knowing the promise.',
  msgFindingOther: "Another check failed (the checker's own words are in the developer console).",
  msgActionSubmitted: 'submission',
  msgActionWithdrawn: 'withdrawal',
  msgPlatformAnswered: 'The platform did not answer (HTTP {status}).',
  msgCheckerFailed: 'This browser could not do the computation (for example, no Ed25519 signatures). Check the receipt with etender verify-receipt.',
  hallFormShown: 'The objection window is open: you can raise an objection below.',
};

export const BID_DETAIL_STRINGS = { zh, en };
