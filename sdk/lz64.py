"""LZ-string's `decompressFromBase64` (posthog-js's legacy `compression=lz64`), with a bound on the output.

LZ-string output can grow quadratically with its input (each code may repeat the previous entry plus
one character), so a small body could expand to gigabytes; decoding stops as soon as the text passes
`max_chars`.
"""

BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_VALUES = {char: index for index, char in enumerate(BASE64_ALPHABET)}


class LZStringError(ValueError):
    """The input is not valid LZ-string data."""


class LZStringTooLarge(ValueError):
    """The decompressed text would be longer than allowed."""


class _Bits:
    """Reads the 6-bit base64 symbols most significant bit first, as LZ-string writes them."""

    def __init__(self, text: str) -> None:
        try:
            self.values = [_VALUES[char] for char in text]
        except KeyError as exc:
            raise LZStringError(f"Invalid character {exc.args[0]!r}.") from None
        self.index = 0
        self.position = 32  # LZ-string's reset value for 6-bit symbols: bit mask 0b100000

    def read(self, count: int) -> int:
        result = 0
        for power in range(count):
            if self.index >= len(self.values):
                raise LZStringError("Data ends unexpectedly.")
            if self.values[self.index] & self.position:
                result |= 1 << power
            self.position >>= 1
            if self.position == 0:
                self.position = 32
                self.index += 1
        return result


def _utf16_joined(text: str) -> str:
    # LZ-string works on JavaScript's UTF-16 code units: pair the surrogates back into characters
    # (an unpaired one becomes U+FFFD; the database could not store it).
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def lz64_decompress(text: str, *, max_chars: int) -> str:
    """Decompress LZ-string base64 text; raises `LZStringError` or `LZStringTooLarge`."""
    bits = _Bits(text.replace(" ", "+"))  # form decoding turns '+' into spaces
    dictionary: list[str] = ["", "", ""]
    enlarge_in, num_bits = 4, 3
    first = bits.read(2)
    if first == 2:
        return ""
    if first not in (0, 1):
        raise LZStringError("Invalid first code.")
    w = chr(bits.read(8 if first == 0 else 16))
    dictionary.append(w)
    parts, length = [w], 1
    while True:
        code = bits.read(num_bits)
        if code in (0, 1):
            dictionary.append(chr(bits.read(8 if code == 0 else 16)))
            code = len(dictionary) - 1
            enlarge_in -= 1
        elif code == 2:
            return _utf16_joined("".join(parts))
        if enlarge_in == 0:
            enlarge_in, num_bits = 1 << num_bits, num_bits + 1
        if code < len(dictionary):
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = w + w[0]
        else:
            raise LZStringError("Invalid code.")
        length += len(entry)
        if length > max_chars:
            raise LZStringTooLarge()
        parts.append(entry)
        dictionary.append(w + entry[0])
        enlarge_in -= 1
        w = entry
        if enlarge_in == 0:
            enlarge_in, num_bits = 1 << num_bits, num_bits + 1
