/** Blocks → a bundle as the verification service serves it. */
import { BUNDLE_FORMAT, type Bundle } from '../../src/wire';
import { CHANNEL } from './fabric';

export function bundleOf(blocks: readonly Uint8Array[], pollId?: string): Bundle {
  return {
    format: BUNDLE_FORMAT,
    channel: CHANNEL,
    chaincode: 'polls',
    ...(pollId === undefined ? {} : { pollId }),
    height: blocks.length,
    blocks: blocks.map((b) => Buffer.from(b).toString('base64')),
  };
}
