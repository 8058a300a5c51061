/**
 * Runs several commands at once, each in its own greenthread, under one
 * shared deadline: every command gets the time left, a command still
 * running at the deadline is killed, and whatever it printed before is
 * still collected.
 *
 *   deno run -A examples/subprocess_fanout.ts
 *
 * @module
 */

import { spawn } from "../mod.ts";
import { spawnProcess, TimeoutExpired } from "../subprocess/mod.ts";

const DEADLINE_SECONDS = 1;
const commands: string[][] = [
  ["echo", "hello from echo"],
  ["sh", "-c", "sleep 0.3; echo slept 0.3 s"],
  ["sh", "-c", "echo counted $(seq 1 100000 | wc -l) lines"],
  // exec: the shell becomes the sleep, so the kill reaches it (a grandchild
  // would keep the pipe open, and communicate reads to EOF).
  ["sh", "-c", "echo started; exec sleep 10"],
  ["ls", "/nonexistent-directory"],
];

const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes!).trim();
const start = performance.now();
const secondsLeft = () => Math.max(0, DEADLINE_SECONDS - (performance.now() - start) / 1000);

/** Runs one command to its end or to the deadline; returns a one-line report. */
async function run(command: string[]): Promise<string> {
  const p = spawnProcess(command[0], { args: command.slice(1), stdout: "piped", stderr: "piped" });
  try {
    const [out, err] = await p.communicate(undefined, { timeout: secondsLeft() });
    return `exit ${p.returncode}: ${text(out) || text(err)}`;
  } catch (error) {
    if (!(error instanceof TimeoutExpired)) throw error;
    p.kill(); // past the deadline: stop it, then collect what it printed
    const [out] = await p.communicate();
    return `killed at the deadline (returncode ${p.returncode}), had printed: ${text(out)}`;
  }
}

const jobs = commands.map((command) => spawn(run, command));
for (const [i, job] of jobs.entries()) {
  console.log(`${commands[i].join(" ")}\n  -> ${await job.wait()}`);
}
const elapsed = (performance.now() - start) / 1000;
console.log(
  `${commands.length} commands in ${elapsed.toFixed(2)} s (deadline ${DEADLINE_SECONDS} s)`,
);
