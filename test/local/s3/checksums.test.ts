import { describe, expect, it } from 'vitest';
import { algorithmForHeader, computeChecksum, crc32c, crc64nvme } from '../../../local/s3/checksums.ts';

// "123456789" is the check input of the CRC catalogue.
const CHECK = Buffer.from('123456789');

describe('checksums', () => {
  it('computes the catalogue check values of CRC-32C and CRC-64/NVME', () => {
    expect(crc32c(CHECK)).toBe(0xe3069283);
    expect(crc64nvme(CHECK).toString('hex')).toBe('ae8b14860a799888');
  });

  it('encodes each algorithm as the big-endian base64 S3 puts in x-amz-checksum-*', () => {
    expect(computeChecksum('CRC32', CHECK)).toBe(Buffer.from('cbf43926', 'hex').toString('base64'));
    expect(computeChecksum('CRC32C', CHECK)).toBe(Buffer.from('e3069283', 'hex').toString('base64'));
    expect(computeChecksum('CRC64NVME', CHECK)).toBe(Buffer.from('ae8b14860a799888', 'hex').toString('base64'));
    expect(computeChecksum('SHA1', Buffer.from('abc'))).toBe('qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
    expect(computeChecksum('SHA256', Buffer.from(''))).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  it('maps checksum header names to algorithms regardless of case', () => {
    expect(algorithmForHeader('X-Amz-Checksum-CRC32C')).toBe('CRC32C');
    expect(algorithmForHeader('x-amz-checksum-crc64nvme')).toBe('CRC64NVME');
    expect(algorithmForHeader('x-amz-checksum-md5')).toBeUndefined();
  });
});
