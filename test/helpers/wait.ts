// Tests wait for conditions, never for fixed times: waitFor polls a check until it holds,
// and fails naming what it waited for when a generous deadline passes (a bound for a
// broken build, not a timing the test relies on).
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
