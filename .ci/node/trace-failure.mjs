// Which trace-recording code (one of `codes`) made a Lighthouse run's report unusable, or
// undefined (lighthouse-pages.mjs runs such a run again). Most often Lighthouse says so in
// the report's runtimeError. A trace that failed partway leaves no runtimeError, only the
// audits that read it in error, each message ending with the code ("Something went wrong
// with recording the trace over your page load. Please run Lighthouse again.
// (NO_NAVSTART)"): their categories get no score, the same fault of the tool's run, seen
// once on a machine at load 12 (docs/PERFORMANCE.md, "The suite at the end of the
// fifteenth session").
export function traceFailure(lhr, codes) {
  const code = lhr.runtimeError?.code;
  if (codes.includes(code)) return code;
  for (const result of Object.values(lhr.audits ?? {})) {
    if (result.scoreDisplayMode !== 'error') continue;
    const found = codes.find((candidate) => result.errorMessage?.endsWith(`(${candidate})`));
    if (found) return found;
  }
  return undefined;
}
