import { SELF_HOSTED_CAPABILITIES, SelfHostedProvider, storeFromUrl } from "@mailplane/providers";
import { registerMailAdapter } from "./connections";

/**
 * Registers the `selfHosted` provider kind: the resources' `apiUrl` is the store locator
 * (`sqlite:///path`, `postgresql://user@host/db`, `postgresql+env://VAR`); no credentials
 * besides what the locator names (a PostgreSQL URL read from the environment at call time).
 */
export function registerSelfHosted(): void {
  registerMailAdapter("selfHosted", {
    capabilities: SELF_HOSTED_CAPABILITIES,
    credentials: () => ({}),
    create: ({ apiUrl }) => {
      if (apiUrl === undefined) {
        throw new Error(
          "selfHosted: apiUrl must be the store locator, e.g. sqlite:///var/lib/mailplane/mail.sqlite",
        );
      }
      return new SelfHostedProvider(storeFromUrl(apiUrl));
    },
  });
}

registerSelfHosted();
