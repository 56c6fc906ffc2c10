package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the scan schedule")
class ScanScheduleTest {
    private static final long T0 = 1_700_000_040_000L;
    private final AtomicLong now = new AtomicLong(T0 + 250);
    private final ManualTimers timers = new ManualTimers();
    private final Counter skipped = new SimpleMeterRegistry().counter("scans_skipped");
    private final List<Long> scans = new ArrayList<>();

    @Test
    @DisplayName("arms the next whole second, and a scan that throws does not stop the next one")
    void aScanThatThrowsDoesNotStopTheSchedule() {
        ScanSchedule schedule = new ScanSchedule(now::get, timers, t -> {
            scans.add(t);
            throw new IllegalStateException("boom at " + t);
        }, skipped, 0, s -> true, 0, skipped);
        schedule.start();
        assertThat(timers.nextDelay()).isEqualTo(750);
        now.set(T0 + 1000);
        assertThat(timers.fire().failed()).isTrue();
        assertThat(timers.armed()).isEqualTo(1);
        now.set(T0 + 2001);
        timers.fire();
        assertThat(scans).containsExactly(T0 + 1000, T0 + 2000);
        assertThat(timers.armed()).isEqualTo(1);
    }

    @Test
    @DisplayName("runs the scan of each second its grace after it, and says which second it scans next")
    void scansRunTheirGraceAfterTheirSecond() {
        ScanSchedule schedule = new ScanSchedule(now::get, timers, scans::add, skipped, 50, s -> true, 0, skipped);
        schedule.start();
        assertThat(timers.nextDelay()).isEqualTo(800); // T0 + 250 -> T0 + 1050
        assertThat(schedule.nextScan()).isEqualTo(T0 + 1000);
        now.set(T0 + 1020); // past the second, within its grace: its scan has not run
        assertThat(schedule.nextScan()).isEqualTo(T0 + 1000);
        now.set(T0 + 1050);
        timers.fire();
        assertThat(scans).containsExactly(T0 + 1000);
        assertThat(schedule.nextScan()).isEqualTo(T0 + 2000);
        assertThat(schedule.lastScan()).isEqualTo(T0 + 1000);
        assertThat(timers.nextDelay()).isEqualTo(1000);
        now.set(T0 + 3100); // late: the scan of T0 + 3000 is due, not T0 + 2000
        assertThat(schedule.nextScan()).isEqualTo(T0 + 3000);
    }

    @Test
    @DisplayName("skips and counts the seconds a late scan missed, and never scans a second twice")
    void lateScansSkipTheSecondsMissed() {
        ScanSchedule schedule = new ScanSchedule(now::get, timers, scans::add, skipped, 0, s -> true, 0, skipped);
        schedule.start();
        now.set(T0 + 1000);
        timers.fire();
        now.set(T0 + 4200);
        timers.fire();
        now.set(T0 + 4900); // a timer that fires early finds its second already scanned
        timers.fire();
        assertThat(scans).containsExactly(T0 + 1000, T0 + 4000);
        assertThat(skipped.count()).isEqualTo(2);
        schedule.stop();
        assertThat(timers.armed()).isZero();
    }

    private final Counter forced = new SimpleMeterRegistry().counter("scans_forced");
    private final AtomicLong delivered = new AtomicLong(Long.MIN_VALUE);

    private ScanSchedule gated(long maxWaitMs) {
        return new ScanSchedule(now::get, timers, scans::add, skipped, 50, s -> delivered.get() >= s, maxWaitMs,
                forced);
    }

    @Test
    @DisplayName("holds a scan until the sources have delivered its second, holds the later ticks for it, then scans "
            + "the seconds held one after the other")
    void holdsScansForTheWatermarkThenScansTheSecondsInOrder() {
        ScanSchedule schedule = gated(3000);
        schedule.start();
        delivered.set(T0 + 1000);
        now.set(T0 + 1050);
        timers.fire();
        assertThat(scans).containsExactly(T0 + 1000);
        now.set(T0 + 2050);
        timers.fire();
        now.set(T0 + 3050);
        timers.fire();
        assertThat(scans).as("held: the sources are behind").containsExactly(T0 + 1000);
        assertThat(schedule.nextScan()).as("ticks stamped from here wait for the held scan").isEqualTo(T0 + 2000);
        delivered.set(T0 + 2500);
        schedule.poke();
        assertThat(scans).containsExactly(T0 + 1000, T0 + 2000);
        delivered.set(T0 + 3000);
        schedule.poke();
        assertThat(scans).containsExactly(T0 + 1000, T0 + 2000, T0 + 3000);
        assertThat(skipped.count() + forced.count()).isZero();
    }

    @Test
    @DisplayName("past the wait, forces the scan of the clock's second, scans by the clock while the sources lag, "
            + "and follows the watermarks again once they have caught up")
    void forcesScansPastTheWaitUntilTheSourcesCatchUp() {
        ScanSchedule schedule = gated(1000);
        schedule.start();
        delivered.set(T0 + 1000);
        now.set(T0 + 1050);
        timers.fire();
        now.set(T0 + 2050);
        timers.fire();
        assertThat(scans).containsExactly(T0 + 1000);
        now.set(T0 + 3050); // the scan of T0 + 2000 has waited its grace and 1000 ms
        timers.fire();
        assertThat(scans).as("the held second and the clock's, with what has arrived")
                .containsExactly(T0 + 1000, T0 + 2000, T0 + 3000);
        assertThat(forced.count()).isEqualTo(2);
        now.set(T0 + 4050);
        timers.fire();
        assertThat(scans).as("by the clock while the sources lag").endsWith(T0 + 4000);
        delivered.set(T0 + 5000);
        now.set(T0 + 5050);
        timers.fire();
        now.set(T0 + 6050);
        timers.fire();
        assertThat(scans).as("held again once caught up").containsExactly(T0 + 1000, T0 + 2000, T0 + 3000,
                T0 + 4000, T0 + 5000);
        assertThat(schedule.nextScan()).isEqualTo(T0 + 6000);
        assertThat(forced.count()).as("T0 + 2000 to T0 + 4000").isEqualTo(3);
        assertThat(skipped.count()).isZero();
    }

    @Test
    @DisplayName("after a pause shorter than the wait, scans every second missed in order; after a longer one, "
            + "skips to the latest")
    void catchesUpShortPausesAndSkipsLongOnes() {
        delivered.set(Long.MAX_VALUE);
        ScanSchedule schedule = gated(3000);
        schedule.start();
        now.set(T0 + 1050);
        timers.fire();
        now.set(T0 + 3100);
        timers.fire();
        assertThat(scans).containsExactly(T0 + 1000, T0 + 2000, T0 + 3000);
        now.set(T0 + 9100);
        timers.fire();
        assertThat(scans).containsExactly(T0 + 1000, T0 + 2000, T0 + 3000, T0 + 9000);
        assertThat(skipped.count()).isEqualTo(5);
        assertThat(forced.count()).isZero();
    }

    @Test
    @DisplayName("moves to the second of a state it took, earlier or later, and scans on from there in order")
    void movesToTheStateItTook() {
        delivered.set(Long.MAX_VALUE);
        ScanSchedule schedule = gated(3000);
        schedule.start();
        now.set(T0 + 3050);
        timers.fire();
        schedule.moveTo(T0 + 1000);
        assertThat(schedule.nextScan()).isEqualTo(T0 + 2000);
        now.set(T0 + 4050);
        timers.fire();
        assertThat(scans).containsExactly(T0 + 3000, T0 + 2000, T0 + 3000, T0 + 4000);
        schedule.moveTo(T0 + 5000);
        now.set(T0 + 6050);
        timers.fire();
        assertThat(scans).endsWith(T0 + 4000, T0 + 6000);
    }
}
