package io.tickscan.engine;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Maps an instant to the start of the trading session holding it: the UTC day by default, or days starting at a
 * local time in a zone. Remembers the last session it computed, so consecutive instants cost a comparison. Not
 * thread-safe: one per engine.
 */
final class SessionCalendar {
    private static final long DAY_MS = 86_400_000L;

    private final ZoneId zone;
    private final LocalTime start;
    private final boolean utcMidnight;
    private long cachedStart = Long.MAX_VALUE;
    private long cachedEnd = Long.MIN_VALUE;

    SessionCalendar(ZoneId zone, LocalTime start) {
        this.zone = zone;
        this.start = start;
        this.utcMidnight = zone.normalized().equals(ZoneOffset.UTC) && start.equals(LocalTime.MIDNIGHT);
    }

    /** Epoch milliseconds at which the session holding {@code ts} started. */
    long sessionStart(long ts) {
        if (ts >= cachedStart && ts < cachedEnd) {
            return cachedStart;
        }
        if (utcMidnight) {
            cachedStart = Math.floorDiv(ts, DAY_MS) * DAY_MS;
            cachedEnd = cachedStart + DAY_MS;
            return cachedStart;
        }
        ZonedDateTime local = Instant.ofEpochMilli(ts).atZone(zone);
        LocalDate day = local.toLocalTime().isBefore(start) ? local.toLocalDate().minusDays(1) : local.toLocalDate();
        cachedStart = day.atTime(start).atZone(zone).toInstant().toEpochMilli();
        cachedEnd = day.plusDays(1).atTime(start).atZone(zone).toInstant().toEpochMilli();
        return cachedStart;
    }
}
