// Lighthouse runs, one after the other, in one node process and one Chromium
// (tests/config/test_lighthouse.py): the CLI paid a node start, Lighthouse's import and a
// Chromium for every run. The settings are the CLI's: the default config with the flags
// given, Chromium started by chrome-launcher (the CLI's launcher, its default flags); each
// run in a new browser context (Lighthouse's Node API given a puppeteer page).
//
//   node lighthouse-pages.mjs '{"chromePath", "chromeFlags": [...], "flags": {...},
//                               "retryCodes": [...], "attempts": n}'
//
// Then one run per line of stdin, {"url", "output", "slowdown", "diagnostics"} (slowdown
// null: the default), answered by one line of stdout once the run is done, {"output",
// "retried": [codes], "error"}: Lighthouse's JSON report is in "output", unless "error"
// says why not. With "diagnostics" false, the run skips every audit no category score
// reads (weight 0 in each of flags.onlyCategories: diagnostics, opportunities, the
// report's data), and the gatherers only they need: the scores are the same weighted
// means of the same audits, for about a quarter less CPU (docs/PERFORMANCE.md, helper
// suitelh68). The skipped gatherers include the CSS and JS coverage Chromium would
// record during the load.
// A line {"benchmark": true} is answered {"benchmarkIndex", "error"}: the machine's
// benchmark index as Lighthouse measures it at the start of a run (its page function
// computeBenchmarkIndex, ~1 s, here run twice), for the slowdown of the first run (the
// test calibrates each later run from the index the run before reported).
// Each run logs one line to stderr (the module's lighthouse-node.log): the report, the
// attempt, the benchmark index and slowdown, the scores, the trace fault and the wall; a
// benchmark logs its index.
// A run whose report says a trace failed to record (a code of retryCodes: trace-failure.mjs)
// is made again, at most "attempts" times. Runs never overlap: each traces the whole
// browser, and a second Tracing.start fails while a trace is being recorded.
import fs from 'node:fs';
import readline from 'node:readline';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import defaultConfig from 'lighthouse/core/config/default-config.js';
import {pageFunctions} from 'lighthouse/core/lib/page-functions.js';
import puppeteer from 'puppeteer-core';

import {traceFailure} from './trace-failure.mjs';

const settings = JSON.parse(process.argv[2]);
const chrome = await chromeLauncher.launch({
  chromePath: settings.chromePath,
  chromeFlags: settings.chromeFlags,
  logLevel: 'silent',
});
const unscored = settings.flags.onlyCategories.flatMap(
  (name) => defaultConfig.categories[name].auditRefs.filter((ref) => ref.weight === 0),
).map((ref) => ref.id);
const browser = await puppeteer.connect({
  browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null,
});

async function audit(run) {
  // channel 'cli': as from the CLI (with the default slowdown the report would warn of a
  // slow host; a calibrated one is what that warning asks for).
  const flags = {
    ...settings.flags, output: 'json', logLevel: 'silent', channel: 'cli',
  };
  if (run.slowdown !== null) flags.throttling = {cpuSlowdownMultiplier: run.slowdown};
  if (!run.diagnostics) flags.skipAudits = unscored;
  const retried = [];
  for (let attempt = 1; attempt <= settings.attempts; attempt++) {
    fs.rmSync(run.output, {force: true});
    // Each run in a browser context of its own, closed after it, as a fresh Chromium's
    // profile. In a shared one, Chromium keeps a connection to the site open after a run
    // (seen with ss), and an idle connection holds one of gunicorn's two sync workers
    // until its 30 s timeout, whose 500 Chromium once took for the next page's answer.
    const context = await browser.createBrowserContext();
    let result;
    const started = performance.now();
    try {
      result = await lighthouse(run.url, flags, undefined, await context.newPage());
    } finally {
      await context.close();
    }
    fs.writeFileSync(run.output, result.report);
    const code = traceFailure(result.lhr, settings.retryCodes);
    // What each run did, in the log (lighthouse-node.log): why a page took the time it took.
    const {lhr} = result;
    process.stderr.write(JSON.stringify({
      output: run.output, attempt, benchmarkIndex: lhr.environment.benchmarkIndex,
      slowdown: lhr.configSettings.throttling.cpuSlowdownMultiplier,
      scores: Object.fromEntries(Object.entries(lhr.categories).map(([name, category]) => [
        name, category.score === null ? null : Math.round(category.score * 100),
      ])),
      traceFailure: code ?? null, wall: Math.round(performance.now() - started) / 1000,
    }) + '\n');
    if (code === undefined) break;
    retried.push(code);
  }
  return retried;
}

async function benchmarkIndex() {
  // In a blank page of a context of its own, as Lighthouse runs it in a run's blank page.
  // Twice, the first to warm V8 up as DevTools' CPU calibration does (its
  // CalibrationController): a fresh Chromium's first index came out 2-4x below the index
  // of the run that followed (222-345 against 450-1083 in three runs at load 13-16), so
  // the first page would have been emulated on a faster phone than the others.
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.evaluate(pageFunctions.computeBenchmarkIndex);
    const index = await page.evaluate(pageFunctions.computeBenchmarkIndex);
    process.stderr.write(JSON.stringify({benchmark: true, benchmarkIndex: index}) + '\n');
    return index;
  } finally {
    await context.close();
  }
}

try {
  for await (const line of readline.createInterface({input: process.stdin})) {
    const run = JSON.parse(line);
    let answer;
    try {
      answer = run.benchmark ?
        {benchmarkIndex: await benchmarkIndex(), error: null} :
        {output: run.output, retried: await audit(run), error: null};
    } catch (error) {
      answer = {output: run.output, retried: [], error: error.stack};
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
} finally {
  // Chromium asked to quit, and node waits for it: its renderers are then reaped by it and
  // it by node, so their CPU is counted in the test process's children's. chrome.kill()
  // alone SIGKILLs the process group and returns, leaving them to init.
  const exited = new Promise((resolve) => chrome.process.once('exit', resolve));
  try {
    await browser.close();
    // unref: a pending timer would keep node alive for its 10 s after Chromium exited.
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  } finally {
    await chrome.kill();
  }
}
