"""Helpers for Kafka integration tests: murmur2 as the Java client computes it, kcat runs."""
import subprocess

from hub import DEADLINE


def murmur2(data: bytes) -> int:
    """Kafka's Utils.murmur2 (Java), as a signed 32-bit int."""
    length = len(data)
    seed = 0x9747B28C
    m = 0x5BD1E995
    r = 24
    h = (seed ^ length) & 0xFFFFFFFF
    length4 = length // 4
    for i in range(length4):
        i4 = i * 4
        k = (data[i4] & 0xFF) + ((data[i4 + 1] & 0xFF) << 8) + ((data[i4 + 2] & 0xFF) << 16) + ((data[i4 + 3] & 0xFF) << 24)
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    rest = length % 4
    if rest == 3:
        h ^= (data[(length & ~3) + 2] & 0xFF) << 16
    if rest >= 2:
        h ^= (data[(length & ~3) + 1] & 0xFF) << 8
    if rest >= 1:
        h ^= data[length & ~3] & 0xFF
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def java_partition(key: bytes, partitions: int) -> int:
    """The Java client's default partition for a key: positive murmur2 modulo the count."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def kcat(*args, input=None, timeout=DEADLINE):
    out = subprocess.run(["kcat", *args], input=input, capture_output=True, text=True, timeout=timeout)
    return out
