package io.tickscan.ingest.csv;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Reads a tick timestamp in any form the spec allows, as epoch milliseconds. */
public final class Timestamps {
    /** The smallest whole number read as epoch milliseconds rather than seconds. */
    static final long MILLIS_FROM = 100_000_000_000L;
    /** What {@link #iso} answers for a text of another shape. */
    static final long OTHER_SHAPE = -2;

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final long DAY_MS = 86_400_000L;
    /** The most decimal places (or, negative, the largest exponent) a numeric timestamp may have. */
    private static final int MAX_SCALE = 30;

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
            if (DECIMAL.matcher(s).matches()) {
                return fromNumber(new BigDecimal(s));
            }
            if (!s.contains("T") && !s.contains(" ")) {
                return -1;
            }
        }
        byte[] latin1 = s.getBytes(StandardCharsets.ISO_8859_1);
        long common = iso(latin1, 0, latin1.length);
        if (common != OTHER_SHAPE) {
            return common;
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
        // an exponent such as 1e-99999999 would make the rounding below run for minutes: no timestamp needs it
        if (Math.abs(value.scale()) > MAX_SCALE) {
            return -1;
        }
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

    /**
     * Reads, without allocating, an ISO-8601 date-time of the common shape: {@code yyyy-MM-ddTHH:mm}, optional
     * seconds with an optional fraction of 1 to 9 digits (cut to the millisecond, as {@code java.time} does), then
     * {@code Z}, an offset {@code +HH:MM} or {@code -HH:MM}, or nothing for UTC; a space may stand for the
     * {@code T} when there is no offset.
     *
     * @return epoch milliseconds, -1 before 1970, or {@link #OTHER_SHAPE} for any other text, including one of
     *     this shape with a field out of range (the general parser decides those)
     */
    static long iso(byte[] b, int start, int end) {
        int n = end - start;
        if (n < 16 || b[start + 4] != '-' || b[start + 7] != '-' || b[start + 13] != ':') {
            return OTHER_SHAPE;
        }
        byte separator = b[start + 10];
        int year = digits(b, start, 4);
        int month = digits(b, start + 5, 2);
        int day = digits(b, start + 8, 2);
        int hour = digits(b, start + 11, 2);
        int minute = digits(b, start + 14, 2);
        if ((separator != 'T' && separator != ' ') || year < 0 || month < 1 || month > 12 || day < 1
                || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
            return OTHER_SHAPE;
        }
        int i = start + 16;
        int second = 0;
        int millis = 0;
        if (i < end && b[i] == ':') {
            second = i + 3 <= end ? digits(b, i + 1, 2) : -1;
            if (second < 0 || second > 59) {
                return OTHER_SHAPE;
            }
            i += 3;
            if (i < end && b[i] == '.') {
                int first = ++i;
                while (i < end && b[i] >= '0' && b[i] <= '9') {
                    if (i - first < 3) {
                        millis = millis * 10 + (b[i] - '0');
                    }
                    i++;
                }
                int fraction = i - first;
                if (fraction < 1 || fraction > 9) {
                    return OTHER_SHAPE;
                }
                for (int k = fraction; k < 3; k++) {
                    millis *= 10;
                }
            }
        }
        int offsetMinutes = 0;
        if (i < end) {
            if (separator != 'T') {
                return OTHER_SHAPE;
            }
            if (b[i] == 'Z' && i + 1 == end) {
                i++;
            } else if ((b[i] == '+' || b[i] == '-') && i + 6 == end && b[i + 3] == ':') {
                int hours = digits(b, i + 1, 2);
                int minutes = digits(b, i + 4, 2);
                if (hours < 0 || hours > 17 || minutes < 0 || minutes > 59) {
                    return OTHER_SHAPE;
                }
                offsetMinutes = (b[i] == '-' ? -1 : 1) * (hours * 60 + minutes);
            } else {
                return OTHER_SHAPE;
            }
        }
        long ms = epochDay(year, month, day) * DAY_MS + hour * 3_600_000L + minute * 60_000L + second * 1000L
                + millis - offsetMinutes * 60_000L;
        return nonNegative(ms);
    }

    /** The number written by {@code count} digits at {@code at}, or -1 when they are not all digits. */
    private static int digits(byte[] b, int at, int count) {
        int value = 0;
        for (int k = at; k < at + count; k++) {
            int d = b[k] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    private static int daysInMonth(int year, int month) {
        if (month == 2) {
            return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
        }
        return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    }

    /** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
    private static long epochDay(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468;
    }
}
