// The registry client's HTTP parser (undici's llhttp) is WebAssembly, and V8 tiers its
// big parse function up to TurboFan after a few responses: a background compile of
// 0.1-0.4 s of CPU holding 23 MiB (--trace-wasm-compilation-times: 22818736 bytes at
// most), which a command then waits for at exit. It made a warm copy 25 MiB bigger and
// 60 ms of CPU dearer than `ls`. The parser is never the bottleneck (bodies pass through
// it as spans; 5000 responses cost the same CPU either way), so it keeps its baseline
// (Liftoff) code: V8 tiers up only the function whose index the filter names, and no
// module has a millionth function (V8's limit). A larger tiering budget only postpones
// it (2^31 bytes are spent after about 1000 responses); --liftoff-only works only when
// given at start-up.
//
// Set once, before the first request compiles the parser, and not earlier: V8 rejects
// code caches made under other flags, Node's own for its built-in modules included, so
// every built-in loaded after this compiles from source (set at start-up, this cost
// `--help` 35 ms of CPU).
import { setFlagsFromString } from 'node:v8';

let done = false;

export function keepParserBaseline(): void {
  if (done) return;
  done = true;
  setFlagsFromString('--wasm-tier-up-filter=1000000');
}
