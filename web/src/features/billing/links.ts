/**
 * Whether `url` is a web address (http or https). Addresses from the payment provider are
 * followed only then, so that a malformed one cannot run script in the app's origin.
 */
export function isWebAddress(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

/** Where priced-on-request plans are sold, as on the public pricing page. */
export const SALES_EMAIL = "sales@luna.example";

export function contactSalesHref(planName: string): string {
  return `mailto:${SALES_EMAIL}?subject=${encodeURIComponent(`Luna ${planName} plan`)}`;
}
