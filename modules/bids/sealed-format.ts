// Recognises a sealed bid by its first bytes: an age v1 file whose header holds only X25519
// recipient stanzas (https://age-encryption.org/v1). Anything else is refused as "not sealed"
// before it is stored. The check runs on the stream, so a 1 GB upload is never buffered.
import { Transform } from 'node:stream';
import { AppError } from '../core/errors';

const MAGIC = 'age-encryption.org/v1\n';
const MAX_HEADER = 16 * 1024;

export function notSealed(reason: string): AppError {
  return new AppError(
    422,
    'not_sealed',
    `The uploaded file is not a sealed bid (${reason}). Seal it first: "etender seal", or age -r <the section's recipient> -o bid.age bid.tar, then sign and submit.`,
  );
}

/** Checks a complete age header (everything up to and including the "---" line). */
export function checkAgeHeader(header: string): void {
  if (!header.startsWith(MAGIC)) throw notSealed('it does not start with the age v1 header');
  const lines = header.slice(MAGIC.length).split('\n');
  let stanzas = 0;
  for (const line of lines) {
    if (line.startsWith('---')) {
      if (stanzas === 0) throw notSealed('it names no recipient');
      return;
    }
    if (line.startsWith('-> ')) {
      const type = line.slice(3).split(' ')[0];
      if (type !== 'X25519') throw notSealed(`it is encrypted with "${type}", not to an X25519 recipient`);
      stanzas++;
    }
  }
  throw notSealed('its age header is incomplete');
}

/** A pass-through stream that fails the upload as soon as its first bytes show it is not sealed. */
export function sealedFormatGuard(): Transform {
  let head = Buffer.alloc(0);
  let checked = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!checked) {
        head = Buffer.concat([head, chunk]);
        const text = head.toString('latin1');
        if (!MAGIC.startsWith(text.slice(0, MAGIC.length)) && !text.startsWith(MAGIC)) return done(notSealed('it does not start with the age v1 header'));
        const end = text.indexOf('\n---');
        if (end >= 0) {
          const lineEnd = text.indexOf('\n', end + 4);
          if (lineEnd >= 0 || text.length > MAX_HEADER) {
            try {
              checkAgeHeader(text.slice(0, lineEnd >= 0 ? lineEnd + 1 : text.length));
            } catch (err) {
              return done(err as Error);
            }
            checked = true;
            head = Buffer.alloc(0);
          }
        } else if (text.length > MAX_HEADER) {
          return done(notSealed('its age header is too long'));
        }
      }
      done(null, chunk);
    },
    flush(done) {
      if (!checked) return done(notSealed('it ends before the age header does'));
      done();
    },
  });
}
