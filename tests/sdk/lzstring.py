"""LZ-string's `compressToBase64` (what legacy posthog-js sends with `compression=lz64`), for tests only."""

import struct

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.value = 0
        self.position = 0

    def write(self, value: int, count: int) -> None:
        for _ in range(count):  # least significant bit first, six bits per symbol
            self.value = (self.value << 1) | (value & 1)
            value >>= 1
            if self.position == 5:
                self.out.append(ALPHABET[self.value])
                self.position, self.value = 0, 0
            else:
                self.position += 1

    def finish(self) -> str:
        while True:
            self.value <<= 1
            if self.position == 5:
                self.out.append(ALPHABET[self.value])
                break
            self.position += 1
        text = "".join(self.out)
        return text + "=" * (-len(text) % 4)


def compress_to_base64(text: str) -> str:
    # JavaScript strings are UTF-16 code units.
    data = text.encode("utf-16-le")
    units = [chr(u) for u in struct.unpack(f"<{len(data) // 2}H", data)]
    dictionary: dict[str, int] = {}
    to_create: set[str] = set()
    size, num_bits, enlarge_in = 3, 2, 2
    writer = _Writer()
    w = ""

    def emit(word: str) -> None:
        nonlocal num_bits, enlarge_in
        if word in to_create:
            code = ord(word[0])
            wide = code >= 256
            writer.write(1 if wide else 0, num_bits)
            writer.write(code, 16 if wide else 8)
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in, num_bits = 1 << num_bits, num_bits + 1
            to_create.discard(word)
        else:
            writer.write(dictionary[word], num_bits)
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in, num_bits = 1 << num_bits, num_bits + 1

    for c in units:
        if c not in dictionary:
            dictionary[c] = size
            size += 1
            to_create.add(c)
        if w + c in dictionary:
            w += c
        else:
            emit(w)
            dictionary[w + c] = size
            size += 1
            w = c
    if w:
        emit(w)
    writer.write(2, num_bits)
    return writer.finish()
