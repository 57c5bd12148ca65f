// `npm run bench`: the Linux collection benchmark, then the other benchmarks whose files exist.
// `npm run bench -- linux-collect tui` runs only the named ones.
import { existsSync } from 'node:fs';

/** bench/<name>.bench.ts, each exporting `run()`; written by different people, so some may be absent. */
const BENCHMARKS = ['linux-collect', 'ps-session', 'ps-tables', 'tui', 'diagnose', 'devloop', 'serve'] as const;

interface BenchmarkModule {
  run?: () => Promise<unknown>;
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}: expected ${BENCHMARKS.join(', ')}`);
  process.exitCode = 2;
} else {
  console.log(`porttop benchmarks, ${new Date().toISOString()}`);
  for (const name of BENCHMARKS) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    const file = new URL(`./${name}.bench.ts`, import.meta.url);
    if (!existsSync(file)) {
      console.log(`\n(skipping ${name}: bench/${name}.bench.ts is not there yet)`);
      continue;
    }
    const module = (await import(file.href)) as BenchmarkModule;
    if (typeof module.run !== 'function') {
      console.log(`\n(skipping ${name}: bench/${name}.bench.ts exports no run())`);
      continue;
    }
    await module.run();
  }
}
