/**
 * The cookie that holds a visitor's cookie choice in this browser, exactly as the public
 * site's banner writes it (src/luna/site/static/consent.js): `luna_consent=v1.a1.m0`.
 * The site's pages read it before they load any optional script, so a choice changed here
 * applies there at once, and the account's copy (PUT /api/v1/me/consent) follows the user
 * to other browsers.
 */
export const CONSENT_COOKIE = "luna_consent";
const VERSION = "v1";
const MAX_AGE_SECONDS = 60 * 60 * 24 * 365;

export interface CookieChoice {
  analytics: boolean;
  marketing: boolean;
}

export function consentCookieValue(choice: CookieChoice): string {
  return `${VERSION}.a${choice.analytics ? 1 : 0}.m${choice.marketing ? 1 : 0}`;
}

export function parseConsentCookie(value: string): CookieChoice | null {
  const match = /^v1\.a([01])\.m([01])$/.exec(value);
  return match ? { analytics: match[1] === "1", marketing: match[2] === "1" } : null;
}

/** The choice stored in this browser, if any. */
export function readConsentCookie(cookies: string = document.cookie): CookieChoice | null {
  for (const part of cookies ? cookies.split("; ") : []) {
    const equals = part.indexOf("=");
    if (part.slice(0, equals) === CONSENT_COOKIE) {
      return parseConsentCookie(decodeURIComponent(part.slice(equals + 1)));
    }
  }
  return null;
}

export function writeConsentCookie(choice: CookieChoice): void {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${CONSENT_COOKIE}=${consentCookieValue(choice)}; Max-Age=${MAX_AGE_SECONDS}; Path=/; SameSite=Lax${secure}`;
}
