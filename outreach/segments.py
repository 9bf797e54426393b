"""How many SMS a text is billed as. Pure: no Django.

A Chinese (UCS-2) SMS holds 70 characters; a longer one is sent concatenated, 67 characters
a part (3 go to the concatenation header). Providers count the sign name 【…】 in the text.
"""

SINGLE = 70
PART = 67


def segments_count(text: str) -> int:
    """Return the number of billed segments of ``text`` (signature included by the caller)."""
    n = len(text)
    if n == 0:
        return 0
    if n <= SINGLE:
        return 1
    return -(-n // PART)
