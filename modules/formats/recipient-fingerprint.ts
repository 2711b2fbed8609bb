// The opening key's fingerprint, as people compare it: the SHA-256 of the age recipient string
// (its UTF-8 bytes, exactly as published, "age1…"), lower-case hex in 16 groups of 4 separated by
// spaces. The section page, the sealing page (server and its script) and the opening-record PDF all
// print it through this one function, so a bidder can read it against the notice aloud. No node: imports (it runs in the browser).
import { sha256 } from '@noble/hashes/sha2';

export function recipientFingerprint(recipient: string): string {
  const hex = Array.from(sha256(new TextEncoder().encode(recipient)), (b) => b.toString(16).padStart(2, '0')).join('');
  return hex.replace(/(.{4})(?=.)/g, '$1 ');
}
