/**
 * The caller's validation rule sets: `PUT`, `GET`, `DELETE /rule-sets/{name}` and `GET /rule-sets`.
 * A rule set belongs to the caller's folder segment, the `uploader` an import's metadata names, so
 * the import finds the same rule set; another caller's rule set answers exactly as a missing one.
 */
import { describeRuleSetIssue, MAX_RULE_SET_BYTES, ruleSetSchema } from '#core/contract/rule-set';
import { isRuleSetName } from '#core/contract/rule-set-name';
import { currentRuleSet, deleteRuleSet, listRuleSets, putRuleSet } from '#io/rule-set-store';
import { callerSegment } from '../presign/upload-key.ts';
import { ApiError } from './errors.ts';
import type { ApiDeps, ApiRequest, ApiResponse, Route } from './routes.ts';

const ownerOf = (request: ApiRequest): string => callerSegment(request.caller);

function ruleSetName(request: ApiRequest): string {
  const name = request.params.name ?? '';
  if (!isRuleSetName(name))
    throw new ApiError(
      'INVALID_REQUEST',
      'A rule set name is 1 to 64 lower-case letters, digits or hyphens, such as emea-sales.',
    );
  return name;
}

const notFound = (name: string) => new ApiError('NOT_FOUND', `No rule set named ${name}.`);

async function putOne(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const name = ruleSetName(request);
  if (request.body === undefined)
    throw new ApiError('INVALID_REQUEST', 'Send the rule set as the JSON body, e.g. {"required": ["contact_email"]}.');
  const bytes = Buffer.byteLength(JSON.stringify(request.body));
  if (bytes > MAX_RULE_SET_BYTES)
    throw new ApiError('INVALID_REQUEST', `The rule set is ${bytes} bytes as JSON; at most ${MAX_RULE_SET_BYTES}.`);
  const parsed = ruleSetSchema.safeParse(request.body);
  if (!parsed.success) throw new ApiError('INVALID_REQUEST', `Invalid rule set: ${describeRuleSetIssue(parsed.error)}`);
  const stored = await putRuleSet(await deps.pool(), ownerOf(request), name, parsed.data);
  return { status: 200, body: stored };
}

async function getOne(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const name = ruleSetName(request);
  const stored = await currentRuleSet(await deps.pool(), ownerOf(request), name);
  if (!stored) throw notFound(name);
  return { status: 200, body: stored };
}

async function list(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  return { status: 200, body: { rule_sets: await listRuleSets(await deps.pool(), ownerOf(request)) } };
}

async function deleteOne(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const name = ruleSetName(request);
  if (!(await deleteRuleSet(await deps.pool(), ownerOf(request), name))) throw notFound(name);
  return { status: 200, body: { name, deleted: true } };
}

export const ruleSetRoutes: Route[] = [
  { method: 'GET', pattern: '/rule-sets', handle: list },
  { method: 'PUT', pattern: '/rule-sets/{name}', handle: putOne },
  { method: 'GET', pattern: '/rule-sets/{name}', handle: getOne },
  { method: 'DELETE', pattern: '/rule-sets/{name}', handle: deleteOne },
];
