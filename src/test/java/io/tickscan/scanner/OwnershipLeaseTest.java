package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OwnershipLeaseTest {
    private static final long MS = 1_000_000;
    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final OwnershipLease lease = OwnershipLease.renewedOn(now::get);

    @Test
    @DisplayName("a renewal holds for VALID_MS, then lapses until the next one")
    void lapsesWithoutRenewal() {
        now.addAndGet(OwnershipLease.VALID_MS * MS);
        assertThat(lease.holds()).isTrue();
        now.addAndGet(MS);
        assertThat(lease.holds()).isFalse();
        lease.renew();
        assertThat(lease.holds()).isTrue();
    }

    @Test
    @DisplayName("withdrawn, it does not hold however recent the renewal")
    void withdrawn() {
        lease.withdraw();
        assertThat(lease.holds()).isFalse();
    }

    @Test
    @DisplayName("at stop a member's lease keeps holding while its scanners hand over; a fenced node's does not")
    void keptAtStop() {
        lease.keepStanding();
        now.addAndGet(60_000 * MS);
        assertThat(lease.holds()).isTrue();

        OwnershipLease fenced = OwnershipLease.renewedOn(now::get);
        fenced.withdraw();
        fenced.keepStanding();
        assertThat(fenced.holds()).isFalse();
    }

    @Test
    @DisplayName("the unconditional lease of a scanner without an ownership verticle always holds")
    void unconditional() {
        OwnershipLease.unconditional().withdraw();
        assertThat(OwnershipLease.unconditional().holds()).isTrue();
    }
}
