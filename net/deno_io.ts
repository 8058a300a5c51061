/**
 * The platform's socket functions, taken when this module loads.
 *
 * `patcher.monkeyPatch` replaces `Deno.connect`, `Deno.listen`, … with
 * green versions built on this module; net must keep calling the real ones
 * (or it would wrap its own sockets twice), and `patcher.original` hands
 * these out.
 *
 * @module
 */

/** Unpatched `Deno.connect`, `connectTls`, `listen`, `listenTls`, `startTls`. */
export const denoIo: {
  connect: typeof Deno.connect;
  connectTls: typeof Deno.connectTls;
  listen: typeof Deno.listen;
  listenTls: typeof Deno.listenTls;
  startTls: typeof Deno.startTls;
} = {
  connect: Deno.connect,
  connectTls: Deno.connectTls,
  listen: Deno.listen,
  listenTls: Deno.listenTls,
  startTls: Deno.startTls,
};
