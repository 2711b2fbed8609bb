// `etender opening-key derive`: an outsider re-derives a time-locked section's opening key from the
// public notice and the beacon, and checks it against the published recipient.
import { systemClock } from '../../modules/core/clock';
import { DeriveError, deriveOpeningKey } from '../../modules/custody/derive-opening-key';
import { UsageError, type CliCommand } from './command';

export const openingKeyDeriveCommand: CliCommand = {
  name: 'opening-key derive',
  summary: "re-derive a time-locked section's opening key from public data and check it",
  help: `etender opening-key derive — after the bid deadline, fetch a section's public notice, read the
beacon round its opening key is time-locked to, open the lock, and check the key against the
recipient every bid was sealed to. Prints the age identity (AGE-SECRET-KEY-1…), with which any age
tool opens the section's published ciphertexts. No account is needed.

Options:
  --url URL        the platform
  --section ID     the section
  --beacon URL     a relay to read the beacon from (repeatable); default: drand's public relays for
                   quicknet, else the platform's own /beacon (a local beacon: the host is trusted)

Example:
  etender opening-key derive --url https://etender.example.org --section 01JD… > identity.txt`,
  options: { url: { type: 'string' }, section: { type: 'string' }, beacon: { type: 'string', multiple: true } },
  async run(values) {
    const url = values.url as string | undefined;
    const sectionId = values.section as string | undefined;
    if (!url || !/^https?:\/\//.test(url)) throw new UsageError('--url is required, e.g. --url https://etender.example.org');
    if (!sectionId) throw new UsageError('--section is required: the id of the section.');
    try {
      const d = await deriveOpeningKey({ url, sectionId, beaconUrls: values.beacon as string[] | undefined, clock: systemClock });
      process.stderr.write(
        `Round ${d.round} of chain ${d.chainHash}${d.chainPinned ? ' (quicknet, public key pinned)' : ' (chain parameters read from the beacon URL)'} opens the key of ${d.recipient}.\n`,
      );
      process.stdout.write(`${d.identity}\n`);
    } catch (err) {
      if (err instanceof DeriveError) throw new UsageError(err.message);
      throw err;
    }
  },
};
