// Hand-made tar bytes for tests: headers the project's writer would never produce (links, "../",
// lying sizes), so that the reader's refusals can be tested.
export function rawHeader(o: { name: string; size: number; type?: string; linkname?: string; prefix?: string; magic?: string; nameEncoding?: BufferEncoding }): Buffer {
  const h = Buffer.alloc(512);
  h.write(o.name, 0, 100, o.nameEncoding ?? 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${o.size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(o.type ?? '0', 156, 'latin1');
  if (o.linkname) h.write(o.linkname, 157, 100, 'utf8');
  h.write(o.magic ?? 'ustar\u000000', 257, 'latin1');
  if (o.prefix) h.write(o.prefix, 345, 155, 'utf8');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A member's body padded to whole blocks. */
export function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A raw archive: the members as given, then the two end blocks. */
export function rawArchive(members: Array<{ header: Buffer; data?: Buffer }>, end = Buffer.alloc(1024)): Buffer {
  return Buffer.concat([...members.flatMap((m) => [m.header, padded(m.data ?? Buffer.alloc(0))]), end]);
}

/** Pax extended header records ("<length> <key>=<value>\n", the length counting itself). */
export function paxData(records: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(records).map(([key, value]) => {
      const body = Buffer.from(` ${key}=${value}\n`, 'utf8');
      let length = body.length + 1;
      while (String(length).length + body.length > length) length++;
      return Buffer.concat([Buffer.from(String(length)), body]);
    }),
  );
}
