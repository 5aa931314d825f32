// Lighthouse runs, one after the other, in one node process and one Chromium
// (tests/config/test_lighthouse.py): the CLI paid a node start, Lighthouse's import and a
// Chromium for every run. The settings are the CLI's: the default config with the flags
// given, Chromium started by chrome-launcher (the CLI's launcher, its default flags); each
// run in a new browser context (Lighthouse's Node API given a puppeteer page).
//
//   node lighthouse-pages.mjs '{"chromePath", "chromeFlags": [...], "flags": {...},
//                               "retryCodes": [...], "attempts": n}'
//
// Then one run per line of stdin, {"url", "output", "slowdown"} (slowdown null: the
// default), answered by one line of stdout once the run is done, {"output", "retried":
// [codes], "error"}: Lighthouse's JSON report is in "output", unless "error" says why not.
// A run whose report has a runtimeError in retryCodes (a trace Lighthouse failed to record)
// is made again, at most "attempts" times. Runs never overlap: each traces the whole
// browser, and a second Tracing.start fails while a trace is being recorded.
import fs from 'node:fs';
import readline from 'node:readline';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const settings = JSON.parse(process.argv[2]);
const chrome = await chromeLauncher.launch({
  chromePath: settings.chromePath,
  chromeFlags: settings.chromeFlags,
  logLevel: 'silent',
});
const browser = await puppeteer.connect({
  browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null,
});

async function audit(run) {
  // channel 'cli': as from the CLI, the report warns when the host's CPU was too slow.
  const flags = {
    ...settings.flags, output: 'json', logLevel: 'silent', channel: 'cli',
  };
  if (run.slowdown !== null) flags.throttling = {cpuSlowdownMultiplier: run.slowdown};
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
    const code = result.lhr.runtimeError?.code;
    if (!settings.retryCodes.includes(code)) break;
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
  await browser.disconnect();
  await chrome.kill();
}
