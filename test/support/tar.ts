// Tests read whole (small) archives with the project's reader: every member's name and bytes.
import { readTar } from '../../modules/bids/tar-reader';

export async function tarMembers(archive: Uint8Array, maxEntrySize = archive.length): Promise<Array<{ name: string; data: Buffer }>> {
  const out: Array<{ name: string; data: Buffer }> = [];
  for await (const entry of readTar([archive], { maxEntrySize })) {
    const pieces: Buffer[] = [];
    for await (const piece of entry.body) pieces.push(Buffer.from(piece));
    out.push({ name: entry.name, data: Buffer.concat(pieces) });
  }
  return out;
}
