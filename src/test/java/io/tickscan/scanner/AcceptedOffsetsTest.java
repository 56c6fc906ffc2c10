package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickscan.codec.TickOrigin;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class AcceptedOffsetsTest {

    @Test
    void aTickIsTakenOncePerPartitionAndTicksWithoutOriginAlways() {
        AcceptedOffsets offsets = new AcceptedOffsets(4);
        assertThat(offsets.accept(1, TickOrigin.of(2, 5), -1, 0)).isTrue();
        assertThat(offsets.accept(1, TickOrigin.of(2, 5), -1, 0)).isFalse();
        assertThat(offsets.accept(1, TickOrigin.of(2, 4), -1, 0)).isFalse();
        assertThat(offsets.accept(1, TickOrigin.of(2, 6), -1, 0)).isTrue();
        assertThat(offsets.accept(2, TickOrigin.of(2, 5), -1, 0)).as("another scanner partition").isTrue();
        assertThat(offsets.accept(1, TickOrigin.of(300, 0), -1, 0)).as("a Kafka partition beyond the first").isTrue();
        assertThat(offsets.accept(1, TickOrigin.NONE, -1, 0)).isTrue();
        assertThat(offsets.accept(1, TickOrigin.NONE, -1, 0)).isTrue();
    }

    @Test
    void theExportIsRaisedToWhatTheSourceAcknowledgedAndARestoreKeepsTheHigher() {
        AcceptedOffsets offsets = new AcceptedOffsets(2);
        offsets.accept(0, TickOrigin.of(0, 40), -1, 0);
        offsets.accept(0, TickOrigin.of(1, 7), -1, 0);
        JsonObject acknowledged = new JsonObject().put("0", 30L).put("1", 20L).put("2", 5L).put("3", 0L);
        assertThat(offsets.export(0, acknowledged)).isEqualTo(new JsonObject().put("0", 40L).put("1", 19L)
                .put("2", 4L).put("3", -1L));
        assertThat(offsets.export(1, null)).isEqualTo(new JsonObject());

        AcceptedOffsets back = new AcceptedOffsets(2);
        back.accept(0, TickOrigin.of(1, 25), -1, 0);
        back.restore(0, offsets.export(0, acknowledged));
        assertThat(back.accept(0, TickOrigin.of(0, 40), -1, 0)).isFalse();
        assertThat(back.accept(0, TickOrigin.of(0, 41), -1, 0)).isTrue();
        assertThat(back.accept(0, TickOrigin.of(1, 25), -1, 0)).as("its own higher offset kept").isFalse();
        assertThat(back.accept(0, TickOrigin.of(2, 4), -1, 0)).isFalse();
        assertThat(back.accept(0, TickOrigin.of(2, 5), -1, 0)).isTrue();
        assertThatThrownBy(() -> back.restore(1, new JsonObject().put("-1", 3L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Kafka partition -1");
    }

    @Test
    void aTickAfterALostOneIsAppliedAndKeptUntilTheLostOnesAreReadAgain() {
        AcceptedOffsets offsets = new AcceptedOffsets(1);
        assertThat(offsets.accept(0, TickOrigin.of(1, 5), -1, 0)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 10), 5, 0)).isTrue();
        // 12 and 15 went to a scanner that died with them; 20 reaches this one
        assertThat(offsets.accept(0, TickOrigin.of(1, 20), 15, 1_000)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 25), 20, 1_000)).isTrue();
        assertThat(offsets.export(0, new JsonObject().put("1", 30L)))
                .as("not raised past the gap to what the source acknowledged").isEqualTo(new JsonObject().put("1", 10L));
        // read again from 8: 10 is had, 12 and 15 are the gap's, 20 and 25 were kept
        assertThat(offsets.accept(0, TickOrigin.of(1, 10), 7, 5_000)).isFalse();
        assertThat(offsets.accept(0, TickOrigin.of(1, 12), 10, 5_000)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 20), 15, 5_000)).as("kept above the gap").isFalse();
        assertThat(offsets.accept(0, TickOrigin.of(1, 15), 12, 5_000)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 20), 15, 5_000)).isFalse();
        assertThat(offsets.accept(0, TickOrigin.of(1, 25), 20, 5_000)).isFalse();
        assertThat(offsets.exportGaps(0)).as("closed").isNull();
        assertThat(offsets.export(0, null)).isEqualTo(new JsonObject().put("1", 25L));
        assertThat(offsets.accept(0, TickOrigin.of(1, 26), 25, 5_000)).isTrue();
        assertThat(offsets.gapsGivenUp()).isZero();
    }

    @Test
    void aGapNotFilledInTimeIsGivenUp() {
        AcceptedOffsets offsets = new AcceptedOffsets(1);
        offsets.accept(0, TickOrigin.of(0, 10), -1, 0);
        offsets.accept(0, TickOrigin.of(0, 20), 15, 0);
        assertThat(offsets.accept(0, TickOrigin.of(0, 30), 20, AcceptedOffsets.GAP_WAIT_MS + 1)).isTrue();
        assertThat(offsets.gapsGivenUp()).isEqualTo(1);
        assertThat(offsets.exportGaps(0)).isNull();
        assertThat(offsets.accept(0, TickOrigin.of(0, 15), 10, AcceptedOffsets.GAP_WAIT_MS + 2))
                .as("too late: lost").isFalse();
    }

    @Test
    void aGapGoesWithTheOffsetsToTheNextOwner() {
        AcceptedOffsets giver = new AcceptedOffsets(2);
        giver.accept(1, TickOrigin.of(3, 10), -1, 0);
        giver.accept(1, TickOrigin.of(3, 20), 15, 0);
        JsonObject gaps = giver.exportGaps(1);
        assertThat(gaps).isEqualTo(new JsonObject().put("3", new io.vertx.core.json.JsonArray()
                .add(new io.vertx.core.json.JsonArray().add(20L).add(15L))));
        AcceptedOffsets taker = new AcceptedOffsets(2);
        taker.restore(1, giver.export(1, null), gaps, 100);
        assertThat(taker.accept(1, TickOrigin.of(3, 20), 15, 200)).as("kept by the giver").isFalse();
        assertThat(taker.accept(1, TickOrigin.of(3, 15), 10, 200)).isTrue();
        assertThat(taker.accept(1, TickOrigin.of(3, 21), 20, 200)).isTrue();
        assertThat(taker.export(1, null)).isEqualTo(new JsonObject().put("3", 21L));
    }

    @Test
    void aGapClosesOnlyOnAReadingThatBeganRightAfterWhatThePartitionHas() {
        AcceptedOffsets offsets = new AcceptedOffsets(1);
        assertThat(offsets.accept(0, TickOrigin.of(1, 50), TickOrigin.readingFrom(40), 0))
                .as("no gap open: the first tick of a reading follows what it has").isTrue();
        offsets.accept(0, TickOrigin.of(1, 70), 60, 0); // 60 was lost on its way
        assertThat(offsets.accept(0, TickOrigin.of(1, 80), -1, 0)).isTrue();
        assertThat(offsets.export(0, null)).as("an unknown predecessor does not close a gap")
                .isEqualTo(new JsonObject().put("1", 50L));
        assertThat(offsets.accept(0, TickOrigin.of(1, 75), TickOrigin.readingFrom(65), 0)).isTrue();
        assertThat(offsets.export(0, null)).as("a reading that began past what it has does not close it either")
                .isEqualTo(new JsonObject().put("1", 50L));
        // read again from 51 (after the checkpoint): 60 comes, and everything kept follows
        assertThat(offsets.accept(0, TickOrigin.of(1, 60), TickOrigin.readingFrom(51), 0)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 70), 60, 0)).isFalse();
        assertThat(offsets.export(0, null)).as("70 and 75 follow; 80, of an unknown predecessor, stays kept")
                .isEqualTo(new JsonObject().put("1", 75L));
        assertThat(offsets.accept(0, TickOrigin.of(1, 80), -1, 0)).as("kept: not applied twice").isFalse();
    }

    @Test
    void aPartitionRestoredFromACheckpointTakesTheTicksItsLostOwnerHadFromTheReadingItAskedFor() {
        AcceptedOffsets offsets = new AcceptedOffsets(2);
        offsets.restore(0, new JsonObject().put("1", 100L), null, 0);
        offsets.awaitReread(0, java.util.Set.of(1), true);
        // a rewind to a commit past the checkpoint (the lost owner had 101..199 acknowledged) reaches it first
        assertThat(offsets.accept(0, TickOrigin.of(1, 205), TickOrigin.readingFrom(200), 1_000))
                .as("not taken before the ticks it follows").isFalse();
        assertThat(offsets.accept(0, TickOrigin.of(1, 210), 205, 1_000)).as("nor the rest of that reading").isFalse();
        AcceptedOffsets forced = new AcceptedOffsets(1);
        forced.restore(0, new JsonObject().put("1", 100L), null, 0);
        forced.awaitReread(0, java.util.Set.of(1), true);
        forced.accept(0, TickOrigin.of(1, 205), TickOrigin.readingFrom(200), 1_000);
        assertThat(forced.rereadDone(0, java.util.Set.of())).as("a lane forced to join before its re-read came asks "
                + "again for what it left").isEqualTo(java.util.Map.of(1, 101L));
        assertThat(forced.rereadDone(0, java.util.Set.of())).as("once").isEmpty();
        assertThat(offsets.export(0, null)).as("not moved past what it never had")
                .isEqualTo(new JsonObject().put("1", 100L));
        // the reading it asked for, from after its checkpoint, brings them all in their order
        assertThat(offsets.accept(0, TickOrigin.of(1, 150), TickOrigin.readingFrom(101), 2_000)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 199), 150, 2_000)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 205), 199, 2_000)).as("now, after 199").isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 210), 205, 2_000)).isTrue();
        assertThat(offsets.export(0, null)).isEqualTo(new JsonObject().put("1", 210L));
        assertThat(offsets.gapsGivenUp()).isZero();
        // linked: a later reading past what it has is taken as before (no tick of it in between)
        assertThat(offsets.accept(0, TickOrigin.of(1, 300), TickOrigin.readingFrom(250), 3_000)).isTrue();
        assertThat(offsets.export(0, null)).isEqualTo(new JsonObject().put("1", 300L));

        // without waiting for the re-read (a partition never lost) the same order moves on at once
        offsets.restore(1, new JsonObject().put("1", 100L), null, 0);
        assertThat(offsets.accept(1, TickOrigin.of(1, 205), TickOrigin.readingFrom(200), 1_000)).isTrue();
        assertThat(offsets.accept(1, TickOrigin.of(1, 150), TickOrigin.readingFrom(101), 2_000)).isFalse();
    }

    @Test
    void aPartitionRestoredIntoTheScannersEngineTakesAReadingPastItAboveAGapSoThatNothingArrivesLate() {
        AcceptedOffsets offsets = new AcceptedOffsets(1);
        offsets.restore(0, new JsonObject().put("1", 100L), null, 0);
        offsets.awaitReread(0, java.util.Set.of(1), false);
        assertThat(offsets.accept(0, TickOrigin.of(1, 205), TickOrigin.readingFrom(200), 1_000))
                .as("applied now, kept above the gap").isTrue();
        assertThat(offsets.export(0, null)).isEqualTo(new JsonObject().put("1", 100L));
        assertThat(offsets.accept(0, TickOrigin.of(1, 150), TickOrigin.readingFrom(101), 2_000)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 199), 150, 2_000)).isTrue();
        assertThat(offsets.accept(0, TickOrigin.of(1, 205), 199, 2_000)).as("kept: not applied twice").isFalse();
        assertThat(offsets.export(0, null)).isEqualTo(new JsonObject().put("1", 205L));

        // a lane that joined the scanner takes such a reading above a gap too
        AcceptedOffsets joined = new AcceptedOffsets(1);
        joined.restore(0, new JsonObject().put("1", 100L), null, 0);
        joined.awaitReread(0, java.util.Set.of(1), true);
        joined.rereadDone(0, java.util.Set.of());
        assertThat(joined.accept(0, TickOrigin.of(1, 205), TickOrigin.readingFrom(200), 3_000)).isTrue();
        assertThat(joined.export(0, null)).isEqualTo(new JsonObject().put("1", 100L));
    }

    @Test
    void aPartitionWaitingForItsReReadIsNotRaisedToWhatTheSourcesAcknowledged() {
        AcceptedOffsets offsets = new AcceptedOffsets(2);
        JsonObject acknowledged = new JsonObject().put("0", 500L).put("1", 600L);
        offsets.restore(0, new JsonObject().put("0", 100L).put("1", 100L), null, 0);
        offsets.awaitReread(0, java.util.Set.of(0, 1), false);
        assertThat(offsets.export(0, acknowledged)).as("the lost owner may have had what lies between")
                .isEqualTo(new JsonObject().put("0", 100L).put("1", 100L));
        offsets.accept(0, TickOrigin.of(0, 101), TickOrigin.readingFrom(101), 2_000);
        assertThat(offsets.export(0, acknowledged)).as("Kafka partition 0 linked")
                .isEqualTo(new JsonObject().put("0", 499L).put("1", 100L));
        offsets.rereadDone(0, java.util.Set.of(1));
        assertThat(offsets.export(0, acknowledged)).as("read again through, by its lane")
                .isEqualTo(new JsonObject().put("0", 499L).put("1", 599L));
    }
}
