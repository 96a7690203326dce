/** Amounts of money, kept by the API in the currency's minor unit (cents). */

function currencyFormat(currency: string, options: Intl.NumberFormatOptions = {}) {
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: currency.toUpperCase(),
    ...options,
  });
}

/**
 * `4900` USD as "$49.00" (or "$49" with `dropZeroCents`). The minor unit follows the
 * currency (yen have none); an unknown currency code still shows the amount with its code.
 */
export function formatMoney(minorUnits: number, currency: string, dropZeroCents = false): string {
  try {
    const digits = currencyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
    const amount = minorUnits / 10 ** digits;
    const whole = dropZeroCents && Number.isInteger(amount);
    return currencyFormat(
      currency,
      whole ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : {},
    ).format(amount);
  } catch {
    return `${(minorUnits / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** A plan's monthly price as the price list shows it: "$49", "Free", "Custom pricing". */
export function formatPlanPrice(priceCents: number | null, currency: string): string {
  if (priceCents === null) {
    return "Custom pricing";
  }
  return priceCents === 0 ? "Free" : formatMoney(priceCents, currency, true);
}
