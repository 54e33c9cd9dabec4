// `mobilenet bench` run in the test's own process, stdout/stderr captured (stderr not a TTY: no progress bar).
import { main } from '../../lib/cli/main.js';

export async function benchInProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: (async function* () {})(), env: {},
  };
  const code = await main(['bench', ...argv], io);
  return { code, stdout, stderr };
}
