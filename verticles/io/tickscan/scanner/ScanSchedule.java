package io.tickscan.scanner;

import io.micrometer.core.instrument.Counter;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * Runs the scan of every whole second {@code s} of a clock, in order, once every tick stamped before {@code s} can
 * have arrived, so that a live scan sees what {@code replay} sees:
 * <ul>
 *   <li>not before {@code s + grace}, so that a tick stamped just before {@code s} that arrives a little after it is
 *   still in that scan;</li>
 *   <li>and not before the sources say that they have delivered everything stamped before {@code s}
 *   ({@code ready}, the Kafka watermarks of {@link SourceWatermarks}): after a Kafka rebalance, or while a source
 *   catches up, scans wait for the ticks instead of running without them; the seconds held are then scanned one
 *   after the other, each with exactly its ticks.</li>
 * </ul>
 * A scan is held at most {@code maxWaitMs} past its grace. Past that (a source stopped and nothing took its input
 * over yet) the schedule scans the seconds held with what has arrived, counts those scans as forced, and then
 * scans by the clock, as if without watermarks, until the sources have caught up with the last second scanned.
 * After a pause longer than {@code maxWaitMs} (a late timer, a long GC) it skips to the latest second, counting
 * the seconds skipped.
 *
 * <p>The next timer is armed before the scans run, so nothing a scan does (throw, run long) can stop the
 * schedule; it never runs two scans at once or scans a second twice. After the clock steps back, scans wait until
 * it passes the last second scanned (scan times only grow).
 */
public final class ScanSchedule {

    /** Timers, as Vert.x gives them ({@code vertx::setTimer}); tests fire them by hand. */
    public interface Timers {
        /** Calls {@code task} with the timer's id after {@code delayMs}; returns the id. */
        long set(long delayMs, LongConsumer task);

        /** Cancels a timer that has not fired. */
        void cancel(long id);
    }

    private final LongSupplier clock;
    private final Timers timers;
    private final LongConsumer scan;
    private final Counter skipped;
    private final Counter forced;
    private final long graceMs;
    private final long maxWaitMs;
    private final LongPredicate ready;
    private long lastScan = Long.MIN_VALUE;
    private long timer = -1;
    private long armedFor;
    /** After a forced scan, until the sources have caught up: scans follow the clock, not the watermarks. */
    private boolean byClock;

    /**
     * @param clock     epoch milliseconds
     * @param timers    where the one-shot timers come from
     * @param scan      the scan of a whole second (the argument)
     * @param skipped   counts the seconds skipped (after a pause, or a forced scan)
     * @param graceMs   how long after its second a scan runs at the earliest (less than a second)
     * @param ready     whether every tick stamped before a second has been delivered
     * @param maxWaitMs how long past its grace a scan waits for {@code ready}; also the most seconds of scans run
     *                  one after the other to catch up
     * @param forced    counts the scans run without {@code ready} once the wait was over
     */
    public ScanSchedule(LongSupplier clock, Timers timers, LongConsumer scan, Counter skipped, long graceMs,
                        LongPredicate ready, long maxWaitMs, Counter forced) {
        this.clock = clock;
        this.timers = timers;
        this.scan = scan;
        this.skipped = skipped;
        this.graceMs = graceMs;
        this.ready = ready;
        this.maxWaitMs = maxWaitMs;
        this.forced = forced;
    }

    /**
     * The second whose scan runs next: every tick stamped at or after it waits for that scan. Once scanning, the
     * second after the last one scanned (held, late by at most {@code maxWaitMs}, or skipped over by the next scan
     * by the clock, which first applies what waited for it), or else the latest second whose grace has passed;
     * before {@link #start()}, the second after the latest one whose grace has passed.
     */
    public long nextScan() {
        long due = due();
        if (lastScan == Long.MIN_VALUE) {
            return timer < 0 ? due + 1000 : Math.max(due, armedFor);
        }
        long next = lastScan + 1000;
        return due - next > maxWaitMs ? due : next;
    }

    /** The last second scanned, or {@link Long#MIN_VALUE} before the first scan. */
    public long lastScan() {
        return lastScan;
    }

    private long due() {
        return Math.floorDiv(clock.getAsLong() - graceMs, 1000L) * 1000;
    }

    /** Arms the timer for the next whole second; does nothing when already started. */
    public void start() {
        if (timer < 0) {
            arm();
        }
    }

    /** Cancels the next scan. */
    public void stop() {
        if (timer >= 0) {
            timers.cancel(timer);
            timer = -1;
        }
    }

    /**
     * Scans on from the second after {@code second}, earlier or later than the last second scanned: the scanner held
     * nothing, and took a state whose owner had scanned up to there. Nothing before the first scan.
     */
    public void moveTo(long second) {
        if (lastScan != Long.MIN_VALUE) {
            lastScan = second;
            byClock = false;
        }
    }

    /** Runs the scans that have become ready (the sources reported progress); nothing before {@link #start()}. */
    public void poke() {
        if (timer >= 0) {
            run();
        }
    }

    private void arm() {
        long now = clock.getAsLong();
        armedFor = due() + 1000;
        timer = timers.set(Math.max(1, armedFor + graceMs - now), id -> fire());
    }

    private void fire() {
        arm();
        run();
    }

    private void run() {
        long due = due();
        long next = lastScan == Long.MIN_VALUE ? due : lastScan + 1000;
        if (due < next) {
            return; // the timer fired early: the next one is armed for the right second
        }
        if (byClock) {
            if (!ready.test(next)) {
                forced.increment();
                scanFrom(due);
                return;
            }
            byClock = false; // the sources caught up with the scans: watermarks again
        }
        if (due - next > maxWaitMs) {
            scanFrom(due); // too far behind to catch up second by second
            return;
        }
        for (; next <= due; next += 1000) {
            if (!ready.test(next)) {
                if (!byClock && clock.getAsLong() < next + graceMs + maxWaitMs) {
                    return;
                }
                forced.increment();
                byClock = true; // until the sources catch up; the seconds held are scanned with what has arrived
            }
            lastScan = next;
            scan.accept(next);
        }
    }

    /** Scans {@code second}, counting the seconds skipped since the last scan. */
    private void scanFrom(long second) {
        if (lastScan != Long.MIN_VALUE && second - lastScan > 1000) {
            skipped.increment((second - lastScan) / 1000 - 1);
        }
        lastScan = second;
        scan.accept(second);
    }
}
