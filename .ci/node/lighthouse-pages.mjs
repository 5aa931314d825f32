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
// A run whose report says a trace failed to record (a code of retryCodes: trace-failure.mjs)
// is made again, at most "attempts" times. Runs never overlap: each traces the whole
// browser, and a second Tracing.start fails while a trace is being recorded.
import fs from 'node:fs';
import readline from 'node:readline';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import defaultConfig from 'lighthouse/core/config/default-config.js';
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
  // channel 'cli': as from the CLI, the report warns when the host's CPU was too slow.
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
    try {
      result = await lighthouse(run.url, flags, undefined, await context.newPage());
    } finally {
      await context.close();
    }
    fs.writeFileSync(run.output, result.report);
    const code = traceFailure(result.lhr, settings.retryCodes);
    if (code === undefined) break;
    retried.push(code);
  }
  return retried;
}

try {
  for await (const line of readline.createInterface({input: process.stdin})) {
    const run = JSON.parse(line);
    let answer;
    try {
      answer = {output: run.output, retried: await audit(run), error: null};
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
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  } finally {
    await chrome.kill();
  }
}
