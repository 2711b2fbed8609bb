// The log's name in every checkpoint and promise; its own file so browser code can import it
// without node:crypto.
export const LOG_NAME = 'etender-audit';
