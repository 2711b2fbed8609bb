// The pure pieces under the staff pages: times typed in a centre's zone and shown with its offset
// (including a zone with daylight saving time and one with a half-hour offset), and the multipart
// reader of the upload form without script, fed in chunks of every small size so that a boundary
// split across two chunks, or a file that contains boundary-like lines, is still read exactly.
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { readMultipartUpload } from '../../server/pages/multipart';
import { offsetLabel } from '../../modules/core/zoned-time';
import { localInputValue, parseLocalInput, zonedTime } from '../../templates/pages/staff-time';

describe('staff times in the centre’s zone', () => {
  it('reads a typed wall-clock time in the zone and shows it back with the offset', () => {
    const ms = parseLocalInput('2026-12-26 09:00', 'Asia/Shanghai');
    expect(ms).to.equal(Date.parse('2026-12-26T09:00:00+08:00'));
    expect(parseLocalInput('2026-12-26T09:00:30', 'Asia/Shanghai')).to.equal(Date.parse('2026-12-26T09:00:30+08:00'));
    expect(localInputValue(ms, 'Asia/Shanghai')).to.equal('2026-12-26 09:00');
    expect(zonedTime(ms, 'Asia/Shanghai')).to.equal('2026-12-26 09:00 (UTC+08:00)');
    expect(offsetLabel(ms!, 'Asia/Kolkata')).to.equal('UTC+05:30');
    expect(zonedTime(null, 'Asia/Shanghai')).to.equal('—');
  });

  it('follows daylight saving time where the zone has it', () => {
    expect(parseLocalInput('2026-07-01 09:00', 'America/New_York')).to.equal(Date.parse('2026-07-01T09:00:00-04:00'));
    expect(parseLocalInput('2026-12-01 09:00', 'America/New_York')).to.equal(Date.parse('2026-12-01T09:00:00-05:00'));
    expect(zonedTime(Date.parse('2026-07-01T13:00:00Z'), 'America/New_York')).to.equal('2026-07-01 09:00 (UTC-04:00)');
  });

  it('refuses what is not a real date and time', () => {
    for (const bad of ['', 'soon', '2026-02-30 09:00', '2026-13-01 09:00', '2026-12-01 24:00', '2026-12-01 09:60', '26-12-01 09:00', '2026-12-01']) {
      expect(parseLocalInput(bad, 'Asia/Shanghai'), bad).to.equal(null);
    }
  });
});

describe('the upload form’s multipart reader', () => {
  const boundary = '----formBoundary7MA4YWxkTrZu0gW';
  const file = Buffer.concat([Buffer.from(`%PDF\r\n--${boundary.slice(0, 10)}\r\n\r\n--`), Buffer.alloc(3000, 0x5a), Buffer.from('\r\n-')]);
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\ntoken-value\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="C:\\docs\\招标文件.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const request = (chunkSize: number, bytes = body) => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
    return Object.assign(Readable.from(chunks), { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  };
  const read = async (s: Readable) => {
    const parts: Buffer[] = [];
    for await (const c of s) parts.push(c as Buffer);
    return Buffer.concat(parts);
  };

  it('hands on the fields before the file and the file byte for byte, whatever the chunk sizes', async () => {
    for (const size of [1, 2, 3, 5, 7, 13, 64, 1000, body.length]) {
      const got = await readMultipartUpload(request(size), { maxFieldBytes: 100 });
      expect(got.fields, `chunks of ${size}`).to.deep.equal({ _csrf: 'token-value' });
      expect(got.file?.name).to.equal('招标文件.pdf');
      expect(got.file?.mediaType).to.equal('application/pdf');
      expect(Buffer.compare(await read(got.file!.stream), file), `chunks of ${size}`).to.equal(0);
    }
  });

  it('answers no file for an empty file input, and refuses a truncated body, an oversized field and a non-multipart request', async () => {
    const empty = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nt\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--${boundary}--\r\n`,
    );
    const none = await readMultipartUpload(request(7, empty), { maxFieldBytes: 100 });
    expect(none).to.deep.equal({ fields: { _csrf: 't' }, file: null });
    const truncated = await readMultipartUpload(request(50, body.subarray(0, body.length - 20)), { maxFieldBytes: 100 });
    let failure: unknown = null;
    await read(truncated.file!.stream).catch((err: unknown) => {
      failure = err;
    });
    expect((failure as { status?: number } | null)?.status).to.equal(400);
    const big = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${'x'.repeat(500)}\r\n--${boundary}--\r\n`);
    const tooBig = await readMultipartUpload(request(64, big), { maxFieldBytes: 100 }).catch((err: { status: number }) => err.status);
    expect(tooBig).to.equal(413);
    const plain = Object.assign(Readable.from([Buffer.from('a=b')]), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(await readMultipartUpload(plain, { maxFieldBytes: 100 }).catch((err: { status: number }) => err.status)).to.equal(400);
  });
});
