package io.tickscan.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the stable 64-bit hash")
class StableHashTest {

    /** FNV-1a over the bytes {@code String.getBytes(UTF_8)} gives: what the hash without allocation must equal. */
    private static long overBytes(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    @Test
    @DisplayName("is FNV-1a of the UTF-8 bytes, for ASCII, accents, CJK, emoji and unpaired surrogates")
    void fnv1aOfTheUtf8Bytes() {
        assertThat(StableHash.fnv1a("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(StableHash.fnv1a("a")).isEqualTo(0xaf63dc4c8601ec8cL); // the published FNV-1a 64 of "a"
        for (String text : new String[] {"node-1/scanner-0", "café", "株式", "\uD83D\uDE80 up", "a\uD800b", "\uDC00",
                "x\uD800"}) {
            assertThat(StableHash.fnv1a(text)).as(text).isEqualTo(overBytes(text));
        }
        Random random = new Random(7);
        for (int n = 0; n < 10_000; n++) {
            char[] chars = new char[random.nextInt(12)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000));
            }
            String text = new String(chars);
            assertThat(StableHash.fnv1a(text)).as(text).isEqualTo(overBytes(text));
        }
    }

    @Test
    @DisplayName("mixes with SplitMix64's finaliser")
    void splitMix64() {
        // SplitMix64 seeded with 0 yields 0xe220a8397b1dcdaf first: the finaliser of the golden gamma
        assertThat(StableHash.mix(0x9e3779b97f4a7c15L)).isEqualTo(0xe220a8397b1dcdafL);
        assertThat(StableHash.mix(0)).isZero();
    }
}
