#!/usr/bin/env python3
"""Writes the character set of the embedded Traditional Chinese font: every character of
Big5 (levels 1 and 2 and its symbols: 13,053 hanzi) and of HKSCS-2008 (the Hong Kong
supplement, 4,694 characters such as 埗, 鰂, 邨 in place and personal names), from Python's
own big5 and big5hkscs codecs. Usage: make-subset.py > chars.txt (see README.md)."""
import sys


def codes():
    for hi in range(0x81, 0xFF):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            yield (hi << 8) | lo, bytes([hi, lo])


def decode(raw, codec):
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return None
    return text if len(text) == 1 else None


chars = set()
for code, raw in codes():
    big5 = decode(raw, "big5")
    if big5 and (0xA140 <= code <= 0xA3BF or 0xA440 <= code <= 0xC67E or 0xC940 <= code <= 0xF9D5):
        chars.add(big5)
    elif big5 is None and (hk := decode(raw, "big5hkscs")):
        chars.add(hk)
sys.stdout.write("".join(sorted(chars)))
