/**
 * A Mailbox registers with `Error.stackTraceLimit` 0 for the SDK's per-input promise stacks
 * (their source mapping was most of a Mailbox's registration cost), and that changes nothing
 * users see: the limit is restored, even when registration throws, and the resource's source
 * position and stack trace (what the engine keeps in state) are still captured.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Mailbox } from "../src/index";
import { captureRegisterRequests } from "./dns-mocks";

/** What the SDK sends about where a resource was declared. */
interface Where {
  name: string;
  /** The files of the stack trace's frames. */
  frames: string[];
}
const seen: Where[] = [];

beforeAll(async () => {
  await captureRegisterRequests();
  const monitor = (
    pulumi.runtime as unknown as { getMonitor(): Record<string, unknown> }
  ).getMonitor();
  const register = (monitor.registerResource as (...a: unknown[]) => unknown).bind(monitor);
  monitor.registerResource = (req: RawRequest, ...rest: unknown[]) => {
    seen.push({
      name: req.getName(),
      frames: (req.getStacktrace()?.getFramesList() ?? []).map((f) => f.getPc()?.getUri() ?? ""),
    });
    return register(req, ...rest);
  };
});

/** The parts of the generated RegisterResourceRequest read here. */
interface RawRequest {
  getName(): string;
  getStacktrace():
    { getFramesList(): Array<{ getPc(): { getUri(): string } | undefined }> } | undefined;
}

const args = { mailProvider: "migadu", domain: "a.test", localPart: "ali", name: "Ali" };

describe("Mailbox registration and Error.stackTraceLimit", () => {
  it("restores the caller's limit", () => {
    const before = Error.stackTraceLimit;
    Error.stackTraceLimit = 7;
    try {
      new Mailbox("limit-ali", args);
      expect(Error.stackTraceLimit).toBe(7);
    } finally {
      Error.stackTraceLimit = before;
    }
  });

  it("restores it when registration throws", () => {
    const before = Error.stackTraceLimit;
    Error.stackTraceLimit = 9;
    try {
      // The SDK refuses a resource without a name while constructing it.
      expect(() => new Mailbox("", args)).toThrow(/Missing resource name/);
      expect(Error.stackTraceLimit).toBe(9);
    } finally {
      Error.stackTraceLimit = before;
    }
  });

  it("still sends the resource's whole stack trace (what the engine keeps in state)", async () => {
    new Mailbox("where-ali", args);
    await new Promise((r) => setTimeout(r, 200));
    const frames = seen.find((w) => w.name === "where-ali")?.frames ?? [];
    // Far more than a limit of 0 (or Node's default of 10) would leave.
    expect(frames.length).toBeGreaterThan(10);
  });
});
