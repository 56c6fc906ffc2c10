package io.tickscan.ingest.csv;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Reads a tick timestamp in any form the spec allows, as epoch milliseconds. */
public final class Timestamps {
    /** The smallest whole number read as epoch milliseconds rather than seconds. */
    static final long MILLIS_FROM = 100_000_000_000L;

    private Timestamps() {
    }

    /**
     * A whole number of at least 100,000,000,000 is epoch milliseconds; any other number is epoch seconds with
     * an optional fraction, rounded to the nearest millisecond; otherwise ISO-8601, UTC when it has no offset.
     *
     * @return epoch milliseconds, or -1 when {@code text} is none of these or is before 1970
     */
    public static long parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return -1;
        }
        char c = s.charAt(0);
        if ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+') {
            if (s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                return fromNumber(new BigDecimal(s));
            }
            if (!s.contains("T") && !s.contains(" ")) {
                return -1;
            }
        }
        try {
            return nonNegative(OffsetDateTime.parse(s).toInstant().toEpochMilli());
        } catch (DateTimeParseException e) {
            try {
                return nonNegative(LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli());
            } catch (DateTimeParseException | ArithmeticException e2) {
                return -1;
            }
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private static long fromNumber(BigDecimal value) {
        if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1000)) > 0) {
            return -1;
        }
        boolean whole = value.stripTrailingZeros().scale() <= 0;
        if (whole && value.compareTo(BigDecimal.valueOf(MILLIS_FROM)) >= 0) {
            return value.longValueExact();
        }
        return value.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private static long nonNegative(long ms) {
        return ms < 0 ? -1 : ms;
    }
}
