import { describe, expect, it } from 'vitest';
import { s3ErrorXml, s3Refusal } from '../../scripts/lib/s3-guard.ts';

const V4_HEADER =
  'AWS4-HMAC-SHA256 Credential=S3RVER/20261202/us-east-1/s3/aws4_request, ' +
  'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-strict-mode, Signature=abc';
const SIGNED = {
  authorization: V4_HEADER,
  'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  'x-amz-date': '20261202T052945Z',
};
const PRESIGNED =
  '/lead-uploads/uploads/me/x.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=S3RVER%2F20261202%2Fus-east-1%2Fs3%2Faws4_request' +
  '&X-Amz-Date=20261202T052945Z&X-Amz-Expires=300&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-meta-import-id' +
  '&X-Amz-Signature=abc';

describe('s3Refusal: the local S3 guard', () => {
  it.each([
    ['PUT', '/lead-uploads/uploads/me/x.csv'],
    ['GET', '/lead-uploads/uploads/me/x.csv'],
    ['HEAD', '/lead-uploads/uploads/me/x.csv'],
    ['GET', '/lead-uploads?list-type=2'],
    ['GET', '/'],
    ['DELETE', '/lead-uploads/uploads/me/x.csv'],
  ])('refuses an anonymous %s %s with AccessDenied', (method, url) => {
    expect(s3Refusal(method, url, {})).toMatchObject({ code: 'AccessDenied' });
  });

  it('treats a request that only looks presigned (X-Amz-Signature without X-Amz-Algorithm) as anonymous', () => {
    // s3rver checks a query signature only when X-Amz-Algorithm is present.
    expect(s3Refusal('GET', '/lead-uploads/x.csv?X-Amz-Signature=abc', {})).toMatchObject({ code: 'AccessDenied' });
  });

  it('lets CORS preflights through without credentials', () => {
    expect(s3Refusal('OPTIONS', '/lead-uploads/uploads/me/x.csv', { origin: 'http://127.0.0.1:3000' })).toBeUndefined();
  });

  it.each(['multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'Multipart/Form-Data; boundary=y'])(
    'refuses a form POST (%s), even one whose URL carries a query signature',
    (type) => {
      expect(s3Refusal('POST', '/lead-uploads', { 'content-type': type, origin: 'http://evil.example' })).toMatchObject(
        {
          code: 'AccessDenied',
        },
      );
      expect(
        s3Refusal('POST', `/lead-uploads${PRESIGNED.slice(PRESIGNED.indexOf('?'))}`, { 'content-type': type }),
      ).toMatchObject({ code: 'AccessDenied' });
    },
  );

  it('passes header-signed requests whose x-amz-* headers are all signed, whatever else they carry', () => {
    expect(
      s3Refusal('PUT', '/lead-uploads/uploads/me/x.csv', {
        ...SIGNED,
        'x-amz-meta-strict-mode': 'true',
        'user-agent': 'aws-cli',
        'amz-sdk-invocation-id': '1',
      }),
    ).toBeUndefined();
    // CreateMultipartUpload and DeleteObjects are signed POSTs, not forms.
    expect(
      s3Refusal('POST', '/lead-uploads/uploads/me/x.csv?uploads', { ...SIGNED, 'content-type': 'text/csv' }),
    ).toBeUndefined();
  });

  it('refuses a header-signed request carrying an unsigned x-amz-* header, naming it', () => {
    const refusal = s3Refusal('PUT', '/lead-uploads/uploads/me/x.csv', {
      ...SIGNED,
      'x-amz-meta-strict-mode': 'true',
      'x-amz-meta-mapping': '{}',
    });
    expect(refusal).toEqual({
      code: 'HeadersNotSigned',
      message: 'There were headers present in the request which were not signed',
      headers: ['x-amz-meta-mapping'],
    });
  });

  it('reads SignedHeaders whatever the case of the algorithm name (s3rver accepts any)', () => {
    const lower = { ...SIGNED, authorization: V4_HEADER.replace('AWS4-HMAC-SHA256', 'aws4-hmac-sha256') };
    expect(s3Refusal('PUT', '/b/k', { ...lower, 'x-amz-meta-mapping': '{}' })).toMatchObject({
      code: 'HeadersNotSigned',
    });
  });

  it('passes a presigned PUT with its signed headers and refuses one with an extra x-amz-meta header', () => {
    const granted = { 'content-type': 'text/csv', 'content-length': '10', 'x-amz-meta-import-id': 'id' };
    expect(s3Refusal('PUT', PRESIGNED, granted)).toBeUndefined();
    expect(s3Refusal('PUT', PRESIGNED, { ...granted, 'x-amz-meta-on-duplicate': 'update' })).toMatchObject({
      code: 'HeadersNotSigned',
      headers: ['x-amz-meta-on-duplicate'],
    });
  });

  it('leaves SigV2 requests (which sign every x-amz-* header) to s3rver', () => {
    expect(s3Refusal('PUT', '/b/k', { authorization: 'AWS S3RVER:sig', 'x-amz-meta-a': '1' })).toBeUndefined();
    expect(s3Refusal('GET', '/b/k?AWSAccessKeyId=S3RVER&Expires=1&Signature=sig', {})).toBeUndefined();
  });

  it("answers in S3's XML error shape", () => {
    expect(s3ErrorXml({ code: 'HeadersNotSigned', message: 'm <&>', headers: ['x-amz-meta-a'] })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>HeadersNotSigned</Code><Message>m &lt;&amp;&gt;</Message>' +
        '<HeadersNotSigned>x-amz-meta-a</HeadersNotSigned></Error>',
    );
  });
});
