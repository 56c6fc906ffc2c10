package io.tickscan.codec;

/**
 * 64-bit hashes that are the same on every JVM and every run: FNV-1a over a string's UTF-8 bytes (encoded as it
 * goes, nothing allocated) and SplitMix64's finaliser to spread the bits.
 */
public final class StableHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private StableHash() {
    }

    /** FNV-1a (64 bits) of the UTF-8 encoding of {@code text}; an unpaired surrogate counts as {@code '?'}. */
    public static long fnv1a(String text) {
        long h = FNV_OFFSET;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                h = (h ^ c) * FNV_PRIME;
                continue;
            }
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                cp = '?'; // as String.getBytes(UTF_8) encodes it
            }
            if (cp < 0x80) {
                h = (h ^ cp) * FNV_PRIME;
            } else if (cp < 0x800) {
                h = (h ^ (0xc0 | cp >>> 6)) * FNV_PRIME;
                h = (h ^ (0x80 | cp & 0x3f)) * FNV_PRIME;
            } else if (cp < 0x10000) {
                h = (h ^ (0xe0 | cp >>> 12)) * FNV_PRIME;
                h = (h ^ (0x80 | cp >>> 6 & 0x3f)) * FNV_PRIME;
                h = (h ^ (0x80 | cp & 0x3f)) * FNV_PRIME;
            } else {
                h = (h ^ (0xf0 | cp >>> 18)) * FNV_PRIME;
                h = (h ^ (0x80 | cp >>> 12 & 0x3f)) * FNV_PRIME;
                h = (h ^ (0x80 | cp >>> 6 & 0x3f)) * FNV_PRIME;
                h = (h ^ (0x80 | cp & 0x3f)) * FNV_PRIME;
            }
        }
        return h;
    }

    /** SplitMix64's finaliser: every bit of the result depends on every bit of {@code z}. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
