package io.tickscan.scanner;

import io.micrometer.core.instrument.Counter;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Runs the scan of every whole second {@code s} of a clock at {@code s + grace}, so that a tick stamped just before
 * {@code s} that arrives a little after it is still in that scan, as it is in {@code replay}. The next timer is
 * armed before the scan runs, so nothing a scan does (throw, run long) can stop the schedule; a scan that ends
 * late makes the schedule skip the seconds it missed (counted), never run two at once or run a second twice. After
 * the clock steps back, scans wait until it passes the last second scanned (scan times only grow).
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
    private final long graceMs;
    private long lastScan = Long.MIN_VALUE;
    private long timer = -1;
    private long armedFor;

    /**
     * @param clock   epoch milliseconds
     * @param timers  where the one-shot timers come from
     * @param scan    the scan of a whole second (the argument)
     * @param skipped counts the seconds skipped after a late scan
     * @param graceMs how long after its second a scan runs (less than a second)
     */
    public ScanSchedule(LongSupplier clock, Timers timers, LongConsumer scan, Counter skipped, long graceMs) {
        this.clock = clock;
        this.timers = timers;
        this.scan = scan;
        this.skipped = skipped;
        this.graceMs = graceMs;
    }

    /**
     * The second whose scan runs next, as of now: the second the armed timer scans, or a later one whose grace
     * has passed if the timer runs late (it then scans the latest such second); before {@link #start()}, the
     * second after the latest one whose grace has passed.
     */
    public long nextScan() {
        long due = due();
        return timer < 0 ? due + 1000 : Math.max(due, armedFor);
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

    private void arm() {
        long now = clock.getAsLong();
        armedFor = due() + 1000;
        timer = timers.set(Math.max(1, armedFor + graceMs - now), id -> fire());
    }

    private void fire() {
        arm();
        long due = due();
        if (due <= lastScan) {
            return; // the timer fired early: the next one is armed for the right second
        }
        if (lastScan != Long.MIN_VALUE && due - lastScan > 1000) {
            skipped.increment((due - lastScan) / 1000 - 1);
        }
        lastScan = due;
        scan.accept(due);
    }
}
