"""FEBRABAN boleto arithmetic for the tests, independent of the C++ code: the due-date factor
(restarting at 1000 on 2025-02-22), the barcode's mod 11 and the linha digitável's mod 10."""
import datetime

EPOCH = datetime.date(1997, 10, 7)


def factor(due):
    """FEBRABAN due-date factor, independent of the C++ code."""
    return ((due - EPOCH).days - 1000) % 9000 + 1000


def mod11_barcode(digits43):
    total = sum(int(d) * (2 + i % 8) for i, d in enumerate(reversed(digits43)))
    dv = 11 - total % 11
    return 1 if dv in (0, 10, 11) else dv


def mod10(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        p = int(d) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return (10 - total % 10) % 10
