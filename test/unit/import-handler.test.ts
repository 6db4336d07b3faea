import { describe, expect, it, vi } from 'vitest';
import { lambdaContext, s3Event } from '#test/events';

describe('import handler: keys it must ignore', () => {
  it('returns without touching S3 or PostgreSQL for results, rejected-rows files, keys outside uploads/ and undecodable keys', async () => {
    // Prepare: every dependency points at a closed port, so any attempt to use one would throw.
    Object.assign(process.env, {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      S3_ENDPOINT: 'http://127.0.0.1:1',
      DB_CONNECT_TIMEOUT_MS: '200',
    });
    const { handler } = await import('../../functions/import/handler.ts');
    const ignored = [
      s3Event('lead-uploads', undefined, 's3-put-result-json.json'),
      s3Event('lead-uploads', undefined, 's3-put-outside-uploads.json'),
      s3Event('lead-uploads', undefined, 's3-put-malformed-key.json'),
      s3Event('lead-uploads', 'uploads/x/leads.csv.rejected.csv'),
      s3Event('lead-uploads', 'uploads/x/notes.txt'),
    ];
    const logs = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // Act + Assess
    for (const event of ignored) await expect(handler(event, lambdaContext())).resolves.toBeUndefined();
    expect(logs.mock.calls.map(([line]) => JSON.parse(String(line)))).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        event: 'object_ignored',
        key: 'uploads/u1/leads%E0%A4%A.csv',
        reason: 'key is not valid percent-encoding',
      }),
    );
    logs.mockRestore();
    // The same handler does try to reach them for a real upload: the guard above is what kept it quiet.
    await expect(handler(s3Event('lead-uploads', 'uploads/x/leads.csv'), lambdaContext())).rejects.toMatchObject({
      code: 'S3_READ_ERROR',
    });
  });
});
