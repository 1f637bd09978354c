// Signature Version 4 (the SDK's signer with node:crypto's SHA-256, src/aws/s3-sign.ts) against
// AWS's own published example (S3's "GET Bucket (List Objects)" in the SigV4 documentation),
// and the encoding rules that example does not reach.
import test from 'ava';
import { signRequest } from '../../src/aws/s3-sign.ts';

const example = {
  region: 'us-east-1',
  service: 's3',
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  now: new Date('2013-05-24T00:00:00Z'),
};

test("AWS's published example: GET /?max-keys=2&prefix=J on examplebucket", async (t) => {
  const headers = await signRequest({
    ...example,
    method: 'GET',
    url: new URL('https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J'),
  });
  t.is(
    headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, ' +
      'Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  );
  t.is(headers['x-amz-date'], '20130524T000000Z');
  t.is(headers['x-amz-content-sha256'], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.is(headers.host, 'examplebucket.s3.amazonaws.com');
});

test('the order of query parameters does not change the signature; their values do', async (t) => {
  const sign = async (url: string) => (await signRequest({ ...example, method: 'GET', url: new URL(url) })).authorization;
  t.is(await sign('https://b.example/?prefix=J&max-keys=2'), await sign('https://b.example/?max-keys=2&prefix=J'));
  t.not(await sign('https://b.example/?prefix=K&max-keys=2'), await sign('https://b.example/?max-keys=2&prefix=J'));
});

test('a session token is sent and signed', async (t) => {
  const headers = await signRequest({
    ...example,
    credentials: { ...example.credentials, sessionToken: 'TOKEN' },
    method: 'GET',
    url: new URL('https://b.example/'),
  });
  t.is(headers['x-amz-security-token'], 'TOKEN');
  t.regex(headers.authorization!, /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
});

test("a query value holding '/' is signed as %2F, as AWS and every SDK do", async (t) => {
  const sign = async (url: string) => (await signRequest({ ...example, method: 'GET', url: new URL(url) })).authorization;
  const other = (await signRequest({ ...example, method: 'GET', url: new URL('https://b.example/?prefix=a%2Fb') })).authorization;
  t.is(await sign('https://b.example/?prefix=a/b'), other);
});

test('the secret key never appears in the headers', async (t) => {
  const headers = await signRequest({ ...example, method: 'GET', url: new URL('https://b.example/') });
  t.false(JSON.stringify(headers).includes(example.credentials.secretAccessKey));
});
