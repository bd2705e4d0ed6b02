import assert from 'node:assert/strict';
import { toBase64 } from '../../nodes/lib/cloudevent/binary';

describe('cloudevent: binary values as base64', () => {
  it('writes standard base64 with padding for every length from 0 to 40 bytes, views into a larger buffer included', () => {
    const backing = Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 255);
    for (let length = 0; length <= 40; length++) {
      for (const offset of [0, 1, 5]) {
        const view = new Uint8Array(backing.buffer, offset, length);
        const expected = Buffer.from(backing.subarray(offset, offset + length)).toString('base64');
        assert.equal(toBase64(view), expected, `${length} bytes at offset ${offset}`);
      }
    }
  });

  it('writes the bytes 0x00, 0xff and the characters + and / as base64 defines them', () => {
    assert.equal(toBase64(new Uint8Array([0xfb, 0xff, 0xbf])), '+/+/');
    assert.equal(toBase64(new Uint8Array([0, 0, 0, 0xff])), 'AAAA/w==');
  });
});
