/**
 * On a machine without the servers, a real-server test fails with a message that names the
 * missing server and the set-up that installs it (not with ENOENT from a spawn, nor a skip).
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { requireTool } from "./servers";

describe("requireTool", () => {
  it("names the server, where it was looked for and the set-up when it is missing", () => {
    expect(() =>
      requireTool("PowerDNS", "/nonexistent/mailplane/sbin/pdns_server", "pdns-server"),
    ).toThrow(
      "PowerDNS (pdns_server) not found at /nonexistent/mailplane/sbin/pdns_server: run " +
        "scripts/setup (scripts/install-servers installs the Debian package pdns-server)",
    );
  });

  it("looks a bare name up on PATH, /usr/sbin and /usr/bin", () => {
    expect(() => requireTool("Knot DNS", "knotd-not-installed", "knot")).toThrow(
      "Knot DNS (knotd-not-installed) not found on PATH, in /usr/sbin or in /usr/bin: run " +
        "scripts/setup (scripts/install-servers installs the Debian package knot)",
    );
  });

  it("returns the absolute path of a tool that is there", () => {
    const sh = requireTool("the shell", "sh", "dash");
    expect(path.isAbsolute(sh)).toBe(true);
    expect(path.basename(sh)).toBe("sh");
  });
});
