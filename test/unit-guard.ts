/**
 * Set-up file of the unit tier (vitest.config.ts): a unit test starts no server. Opening a
 * listening socket fails the test with a message saying where such a test belongs, so a test
 * that needs an emulator cannot slip into the quick loop that a fresh clone runs.
 */
import net from "node:net";

net.Server.prototype.listen = function guardedListen(this: net.Server): never {
  throw new Error(
    "a unit test opened a listening socket: a test that starts an emulator belongs to the " +
      "emulator tier (add the file to EMULATOR_FILES in vitest.config.ts), one that starts a " +
      "real server to test/real",
  );
};
