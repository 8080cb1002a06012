import { describe, expect, it } from 'vitest';
import { registerSecretName, sanitize } from '../src/logging/sanitizer';

describe('log sanitizer', () => {
  it('masks subscription keys in headers, query strings and JSON', () => {
    expect(sanitize('Ocp-Apim-Subscription-Key: 0123abcd and more')).toBe('Ocp-Apim-Subscription-Key: *** and more');
    expect(sanitize('GET /echo/resource?param1=x&subscription-key=0123abcd&b=2')).toBe('GET /echo/resource?param1=x&subscription-key=***&b=2');
    expect(sanitize('{"primaryKey":"aaa","secondaryKey": "bbb","state":"active"}')).toBe('{"primaryKey":"***","secondaryKey": "***","state":"active"}');
  });

  it('masks management tokens, signatures and storage secrets', () => {
    expect(sanitize('Authorization: SharedAccessSignature uid=integration&ex=2026&sn=abc+/=')).toBe('Authorization: SharedAccessSignature ***');
    expect(sanitize('uid=integration&ex=2026-01-01T00:00:00.0000000Z&sn=abc+/==')).toBe('uid=integration&ex=2026-01-01T00:00:00.0000000Z&sn=***');
    expect(sanitize('Bearer eyJhbGciOi')).toBe('Bearer ***');
    expect(sanitize('DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=Eby8vd==;TableEndpoint=x')).toBe(
      'DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=***;TableEndpoint=x',
    );
    expect(sanitize('https://x.blob.core.windows.net/c?sv=1&sig=abc%2F')).toBe('https://x.blob.core.windows.net/c?sv=1&sig=***');
  });

  it('masks custom key names once registered, and leaves ordinary text alone', () => {
    expect(sanitize('my-key: s3cret')).toBe('my-key: s3cret');
    registerSecretName('My-Key');
    expect(sanitize('my-key: s3cret')).toBe('my-key: ***');
    expect(sanitize('catalog storage unreachable: 503 Service Unavailable')).toBe('catalog storage unreachable: 503 Service Unavailable');
    expect(sanitize('designation: x')).toBe('designation: x');
  });
});
