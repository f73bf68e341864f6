/*
 * Retail barcodes (GTINs) as printed on packaged food: EAN-13, EAN-8, UPC-A and UPC-E. Each
 * ends in a mod-10 check digit, checked here before anything is looked up, so a misread scan
 * never costs a call.
 */

export type BarcodeFormat = 'EAN-13' | 'EAN-8' | 'UPC-A' | 'UPC-E';

export type BarcodeReading =
  | {
      valid: true;
      format: BarcodeFormat;
      /** The code as Open Food Facts keys products: UPC-A and UPC-E as EAN-13, EAN-8 as is. */
      normalized: string;
    }
  | { valid: false; reason: string };

/** The GS1 check digit of the digits before it (weights 3, 1, 3 … from the right). */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = Number(body[body.length - 1 - i]);
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

const hasValidCheckDigit = (code: string) =>
  gtinCheckDigit(code.slice(0, -1)) === Number(code.at(-1));

/** The UPC-A a UPC-E code (number system 0 or 1, six digits, check digit) stands for. */
export function expandUpcE(code: string): string | undefined {
  if (!/^[01]\d{7}$/.test(code)) return undefined;
  const system = code.slice(0, 1);
  const d = code.slice(1, 7);
  const check = code.slice(7);
  const last = Number(d[5]);
  let body: string;
  if (last <= 2) body = `${d.slice(0, 2)}${String(last)}0000${d.slice(2, 5)}`;
  else if (last === 3) body = `${d.slice(0, 3)}00000${d.slice(3, 5)}`;
  else if (last === 4) body = `${d.slice(0, 4)}00000${d.slice(4, 5)}`;
  else body = `${d.slice(0, 5)}0000${String(last)}`;
  return `${system}${body}${check}`;
}

/** Reads a code: its format when its length and check digit make sense, else why not. */
export function readBarcode(code: string): BarcodeReading {
  if (!/^\d+$/.test(code)) return { valid: false, reason: 'must contain digits only' };
  switch (code.length) {
    case 13:
      return hasValidCheckDigit(code)
        ? { valid: true, format: 'EAN-13', normalized: code }
        : wrongCheckDigit(code);
    case 12:
      return hasValidCheckDigit(code)
        ? { valid: true, format: 'UPC-A', normalized: `0${code}` }
        : wrongCheckDigit(code);
    case 8: {
      if (hasValidCheckDigit(code)) return { valid: true, format: 'EAN-8', normalized: code };
      // Not an EAN-8: perhaps a UPC-E, whose check digit is that of the UPC-A it expands to.
      const upcA = expandUpcE(code);
      if (upcA && hasValidCheckDigit(upcA)) {
        return { valid: true, format: 'UPC-E', normalized: `0${upcA}` };
      }
      return wrongCheckDigit(code);
    }
    default:
      return {
        valid: false,
        reason: `must have 8 (EAN-8, UPC-E), 12 (UPC-A) or 13 (EAN-13) digits, not ${String(code.length)}`,
      };
  }
}

function wrongCheckDigit(code: string): BarcodeReading {
  return {
    valid: false,
    reason:
      `check digit ${code.at(-1) ?? ''} is wrong (expected ${String(gtinCheckDigit(code.slice(0, -1)))}): ` +
      'the code was probably misread',
  };
}
