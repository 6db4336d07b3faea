import { LOCAL_CREDENTIALS } from '../s3-server.ts';
import type { LocalStack } from './index.ts';

const { accessKeyId: KEY, secretAccessKey: SECRET } = LOCAL_CREDENTIALS;

/** The walk-through `npm start` prints: where everything is and copy-paste commands for each path in. */
export function instructions(stack: LocalStack, sampleFile = 'events/leads_1000.csv'): string {
  const { apiUrl, s3Endpoint, bucket, token } = stack;
  const awsEnv = `AWS_ACCESS_KEY_ID=${KEY} AWS_SECRET_ACCESS_KEY=${SECRET} AWS_REGION=us-east-1`;
  return `
Lead Import local stack is running.

  Upload page   ${stack.pageUrl ?? '(disabled)'}   (paste the token below)
  Presign API   POST ${apiUrl}/uploads   (Authorization: Bearer ${token}, subject ${stack.subject})
  Your imports  GET ${apiUrl}/imports, GET ${apiUrl}/imports/{id}, POST ${apiUrl}/imports/{id}/revert
${stack.callers
  .slice(1)
  .map((c) => `  Also caller   Authorization: Bearer ${c.token}   (subject ${c.subject})\n`)
  .join(
    '',
  )}  S3 endpoint   ${s3Endpoint}   bucket ${bucket}   access key ${KEY} / secret ${SECRET} (path-style, us-east-1)
  PostgreSQL    ${stack.databaseUrl}${stack.embeddedPostgres ? '   (embedded)' : ''}
  S3 data       ${stack.s3Directory}

1. Ask for an upload grant (options are optional):
   export TOKEN=${token}
   curl -s -X POST ${apiUrl}/uploads -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
     -d "{\\"filename\\":\\"leads_1000.csv\\",\\"size\\":$(wc -c < ${sampleFile}),\\"options\\":{\\"on_duplicate\\":\\"skip\\"}}" | tee grant.json

2. Upload with exactly the returned headers:
   node -e 'for (const [k, v] of Object.entries(require("./grant.json").upload.headers)) console.log(k + ": " + v)' > grant.headers
   curl -s -X PUT -H @grant.headers --data-binary @${sampleFile} "$(node -p 'require("./grant.json").upload.url')"

3. Read the result (a "processing" snapshot while the import runs, then the final result):
   curl -s "$(node -p 'require("./grant.json").result_url')"

4. Your imports, newest first; one of them; undo one:
   curl -s "${apiUrl}/imports?limit=20" -H "Authorization: Bearer $TOKEN"
   curl -s ${apiUrl}/imports/$(node -p 'require("./grant.json").import_id') -H "Authorization: Bearer $TOKEN"
   curl -s -X POST ${apiUrl}/imports/$(node -p 'require("./grant.json").import_id')/revert -H "Authorization: Bearer $TOKEN"

Direct drop (no grant; options from object metadata, import id chosen by the importer):
   ${awsEnv} aws s3 cp ${sampleFile} s3://${bucket}/uploads/me/leads.csv --endpoint-url ${s3Endpoint} --metadata strict-mode=true
   ${awsEnv} aws s3 cp s3://${bucket}/uploads/me/leads.csv.result.json - --endpoint-url ${s3Endpoint}
 without the AWS CLI (curl signs SigV4 itself):
   curl -s --aws-sigv4 aws:amz:us-east-1:s3 --user ${KEY}:${SECRET} -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -H 'x-amz-meta-strict-mode: true' -T ${sampleFile} ${s3Endpoint}/${bucket}/uploads/me/leads.csv
   curl -s --aws-sigv4 aws:amz:us-east-1:s3 --user ${KEY}:${SECRET} -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' ${s3Endpoint}/${bucket}/uploads/me/leads.csv.result.json

Ctrl-C stops everything.
`;
}
