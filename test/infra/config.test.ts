import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, readConfig } from '../../infra/config.ts';

const configWith = (context: Record<string, unknown>) => readConfig(new App({ context }).node);

describe('context configuration', () => {
  it('defaults: reserved concurrency 5, uploads expire after 30 days, no CORS origin, deletion protection on', () => {
    expect(configWith({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({
      importReservedConcurrency: 5,
      uploadsExpirationDays: 30,
      corsAllowedOrigins: [],
      dbDeletionProtection: true,
      maxUploadBytes: 104_857_600,
    });
  });

  it('accepts -c strings as well as JSON values', () => {
    expect(
      configWith({
        importReservedConcurrency: '2',
        uploadsExpirationDays: 7,
        corsAllowedOrigins: 'https://a.example.com, http://localhost:5173',
        dbDeletionProtection: 'false',
      }),
    ).toMatchObject({
      importReservedConcurrency: 2,
      uploadsExpirationDays: 7,
      corsAllowedOrigins: ['https://a.example.com', 'http://localhost:5173'],
      dbDeletionProtection: false,
    });
    expect(configWith({ corsAllowedOrigins: ['https://b.example.com'] }).corsAllowedOrigins).toEqual([
      'https://b.example.com',
    ]);
  });

  it('reads uploadScopes as a comma-separated or JSON list of OAuth scopes', () => {
    expect(configWith({}).uploadScopes).toEqual([]);
    expect(configWith({ uploadScopes: 'leads/upload' }).uploadScopes).toEqual(['leads/upload']);
    expect(configWith({ uploadScopes: ' leads/upload , leads/admin ' }).uploadScopes).toEqual([
      'leads/upload',
      'leads/admin',
    ]);
    expect(configWith({ uploadScopes: ['openid'] }).uploadScopes).toEqual(['openid']);
    expect(() => configWith({ uploadScopes: 'leads upload' })).toThrow(/not an OAuth scope/);
    expect(() => configWith({ uploadScopes: 'a"b' })).toThrow(/not an OAuth scope/);
  });

  it('rejects wildcard origins and invalid numbers', () => {
    expect(() => configWith({ corsAllowedOrigins: '*' })).toThrow(/explicit origin/);
    expect(() => configWith({ importReservedConcurrency: '0' })).toThrow(/positive integer/);
    expect(() => configWith({ dbDeletionProtection: 'yes' })).toThrow(/true or false/);
  });
});
