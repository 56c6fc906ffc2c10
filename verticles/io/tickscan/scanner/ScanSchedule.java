package io.tickscan.scanner;

import io.micrometer.core.instrument.Counter;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Runs a scan at every whole second of a clock. The next timer is armed before the scan runs, so nothing a scan
 * does (throw, run long) can stop the schedule; a scan that ends late makes the schedule skip the seconds it
 * missed (counted), never run two at once or run a second twice.
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
    private long lastScan = Long.MIN_VALUE;
    private long timer = -1;

    /**
     * @param clock   epoch milliseconds
     * @param timers  where the one-shot timers come from
     * @param scan    the scan of a whole second (the argument)
     * @param skipped counts the seconds skipped after a late scan
     */
    public ScanSchedule(LongSupplier clock, Timers timers, LongConsumer scan, Counter skipped) {
        this.clock = clock;
        this.timers = timers;
        this.scan = scan;
        this.skipped = skipped;
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
        timer = timers.set(Math.max(1, Math.floorDiv(now, 1000L) * 1000 + 1000 - now), id -> fire());
    }

    private void fire() {
        arm();
        long due = Math.floorDiv(clock.getAsLong(), 1000L) * 1000;
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
