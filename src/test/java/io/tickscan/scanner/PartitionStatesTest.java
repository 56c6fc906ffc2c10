package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.ScanEngine;
import io.tickscan.routing.Partitioner;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionStatesTest {
    private static final long T0 = 1_700_000_040_000L;
    private static final String RULES = "[{\"id\": \"up\", \"when\": \"last > 100\", \"cooldown_sec\": 0}]";

    private static ScanEngine engine() {
        return new ScanEngine(RulesFile.parse(RULES, new io.tickscan.rules.RuleLimits(180, 100, 64)),
                EngineSettings.DEFAULTS);
    }

    @Test
    void aPartitionsStateCarriesItsSymbolsAndHeldTicksAndNothingElse() {
        Partitioner partitioner = new Partitioner(16);
        String mine = "AAPL";
        int p = partitioner.partitionOf(mine);
        String other = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "S" + i)
                .filter(s -> partitioner.partitionOf(s) != p).findFirst().orElseThrow();
        ScanEngine source = engine();
        source.apply(mine, T0 + 100, 101, 1);
        source.apply(other, T0 + 100, 102, 1);
        HeldTicks held = new HeldTicks(10);
        held.hold(mine, T0 + 1_500, 103, 2, 0);
        held.hold(other, T0 + 1_500, 104, 2, 0);
        Buffer state = new PartitionStates(source, partitioner, held, (s, ts, price, size, at) -> { }, imported -> { }).export(p);

        ScanEngine target = engine();
        List<String> heldAgain = new ArrayList<>();
        new PartitionStates(target, partitioner, new HeldTicks(10),
                (s, ts, price, size, at) -> heldAgain.add(s + "@" + price), imported -> { }).adopt(state, false);
        assertThat(target.symbolCount()).isEqualTo(1);
        assertThat(target.snapshot(mine, 1).last()).isEqualTo(101);
        assertThat(heldAgain).containsExactly("AAPL@103.0");

        assertThatThrownBy(() -> new PartitionStates(target, partitioner, held, (s, ts, price, size, at) -> { }, imported -> { })
                .adopt(Buffer.buffer("not a state"), false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a tickscan partition state");
    }
}
