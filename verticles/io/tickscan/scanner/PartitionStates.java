package io.tickscan.scanner;

import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.StateImport;
import io.tickscan.routing.Partitioner;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state of one partition of a scanner as bytes, what a checkpoint stores and what a partition moving to
 * another scanner carries: the ticks the scanner holds for a later scan whose symbols are in the partition, then
 * {@link ScanEngine#exportState} of those symbols.
 *
 * <p>The layout: {@code "TSC1"} (4 bytes), the number of held ticks (int32), each as symbol length (uint8), symbol
 * (ASCII), ts (int64), price and size (f64), then the engine's bytes.
 */
final class PartitionStates {
    private static final int MAGIC = 0x54534331; // "TSC1"

    private final ScanEngine engine;
    private final Partitioner partitioner;
    private final HeldTicks held;
    private final HeldTicks.Sink heldAgain;
    private final Consumer<StateImport> imported;
    private CatchUpLanes lanes;
    private int[] partitionOf = new int[0];
    private int mapped;

    /**
     * @param held      the ticks the scanner holds for a later scan
     * @param heldAgain takes the held ticks a state brings back, as if they had just arrived
     * @param imported  runs after the engine took a state, before its held ticks (the engine's clock may have gone
     *                  back, see {@link ScanEngine#importState})
     */
    PartitionStates(ScanEngine engine, Partitioner partitioner, HeldTicks held, HeldTicks.Sink heldAgain,
                    Consumer<StateImport> imported) {
        this.engine = engine;
        this.partitioner = partitioner;
        this.held = held;
        this.heldAgain = heldAgain;
        this.imported = imported;
    }

    /** Sets the lanes in which partitions restored from a checkpoint catch up ({@link #restore}). */
    void catchUpIn(CatchUpLanes lanes) {
        this.lanes = lanes;
    }

    /** True while partition {@code p} catches up in a lane: its state is not the engine's yet. */
    boolean catchingUp(int p) {
        return lanes != null && lanes.of(p) != null;
    }

    /**
     * True when partition {@code p}, restored from a checkpoint, is told when its Kafka ticks since have been read
     * again: by its lane, or by the lanes' watch of a checkpoint taken into the engine.
     */
    boolean toldWhenReadAgain(int p) {
        return lanes != null && (lanes.of(p) != null || lanes.watches(p));
    }

    /** The partition of the engine's symbol at index {@code symbol}. */
    int partitionOf(int symbol) {
        mapSymbols();
        return partitionOf[symbol];
    }

    /**
     * Partition {@code p}'s state: its held ticks, then the engine's export of its symbols. A partition catching up
     * joins the engine first ({@link CatchUpLanes#finish}).
     */
    Buffer export(int p) {
        if (lanes != null) {
            lanes.finish(p);
        }
        mapSymbols();
        Buffer value = Buffer.buffer().appendInt(MAGIC).appendInt(0);
        int[] count = {0};
        held.forEach((symbol, ts, price, size, arrivedAt) -> {
            if (partitioner.partitionOf(symbol) == p) {
                byte[] name = symbol.getBytes(StandardCharsets.US_ASCII);
                value.appendUnsignedByte((short) name.length).appendBytes(name).appendLong(ts).appendDouble(price)
                        .appendDouble(size);
                count[0]++;
            }
        });
        value.setInt(4, count[0]);
        return value.appendBytes(engine.exportState(i -> partitionOf[i] == p));
    }

    /**
     * Takes a partition's state back: the engine's first (a held tick applied before it would make its symbol
     * known, and keep it), then the held ticks.
     *
     * @param handedOver true for a state its live owner handed over, false for one read back from a checkpoint:
     *                   only the former's clock may be taken ({@link ScanEngine#importState(byte[], boolean)})
     * @throws IllegalArgumentException when {@code value} is not a state of this layout (nothing changed then)
     */
    StateImport adopt(Buffer value, boolean handedOver) {
        StateImport result = engine.importState(engineState(value), handedOver);
        imported.accept(result);
        forEachHeld(value, heldAgain);
        return result;
    }

    /**
     * Takes partition {@code p}'s state read back from its checkpoint: into a lane that catches it up when the
     * checkpoint is behind the engine's clock and its Kafka ticks since are read again ({@link CatchUpLanes#open}),
     * else as {@link #adopt} does, the lanes watching for those ticks ({@link CatchUpLanes#watch}).
     *
     * @param rereadFrom for each Kafka partition the checkpoint has an offset of, the offset its ticks are read
     *                   again from; empty without Kafka offsets
     * @throws IllegalArgumentException when {@code value} is not a state of this layout (nothing changed then)
     */
    StateImport restore(int p, Buffer value, Map<Integer, Long> rereadFrom) {
        CatchUpLanes.Lane lane = lanes == null ? null : lanes.open(p, engineState(value), rereadFrom);
        if (lane == null) {
            StateImport result = adopt(value, false);
            if (lanes != null && !rereadFrom.isEmpty()) {
                lanes.watch(p, rereadFrom);
            }
            return result;
        }
        holdIn(lane, value);
        return lane.imported;
    }

    /**
     * Takes partition {@code p}'s state handed over by its live owner: into a lane that scans the seconds the
     * giver had not scanned yet when the state is behind the engine's clock ({@link CatchUpLanes#openHandedOver}),
     * else as {@link #adopt} does.
     *
     * @throws IllegalArgumentException when {@code value} is not a state of this layout (nothing changed then)
     */
    StateImport takeHandedOver(int p, Buffer value) {
        CatchUpLanes.Lane lane = lanes == null ? null : lanes.openHandedOver(p, engineState(value));
        if (lane == null) {
            return adopt(value, true);
        }
        holdIn(lane, value);
        return lane.imported;
    }

    /** Gives {@code lane} the held ticks of a state value: those of the seconds it scans still are applied now. */
    private static void holdIn(CatchUpLanes.Lane lane, Buffer value) {
        forEachHeld(value, (symbol, ts, price, size, arrivedAt) -> {
            if (ts < lane.nextScan() || !lane.held.hold(symbol, ts, price, size, arrivedAt)) {
                lane.apply.apply(symbol, ts, price, size, arrivedAt);
            }
        });
    }

    /** The engine's part of a state value. */
    private static byte[] engineState(Buffer value) {
        if (value.length() < 8 || value.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not a tickscan partition state of this version");
        }
        int at = 8;
        for (int i = value.getInt(4); i > 0; i--) {
            at += 1 + value.getUnsignedByte(at) + 24;
        }
        return value.getBytes(at, value.length());
    }

    /** Hands {@code sink} the held ticks of a state value, as arrived now. */
    private static void forEachHeld(Buffer value, HeldTicks.Sink sink) {
        int at = 8;
        long now = System.currentTimeMillis();
        for (int i = value.getInt(4); i > 0; i--) {
            int length = value.getUnsignedByte(at);
            String symbol = value.getString(at + 1, at + 1 + length, StandardCharsets.US_ASCII.name());
            at += 1 + length;
            sink.apply(symbol, value.getLong(at), value.getDouble(at + 8), value.getDouble(at + 16), now);
            at += 24;
        }
    }

    /**
     * Gives partition {@code p} up: the engine forgets its symbols ({@link ScanEngine#release}) and its held ticks
     * are dropped (they went with its {@link #export}), and so is a lane it still catches up in; returns how many
     * symbols the engine had of it.
     */
    int release(int p) {
        if (lanes != null) {
            lanes.discard(p);
        }
        mapSymbols();
        held.dropIf(symbol -> partitioner.partitionOf(symbol) == p);
        return engine.release(i -> partitionOf[i] == p);
    }

    /** Maps every symbol the engine added since to its partition. */
    private void mapSymbols() {
        int n = engine.symbolCount();
        if (n > mapped) {
            if (n > partitionOf.length) {
                partitionOf = Arrays.copyOf(partitionOf, Math.max(n, 2 * partitionOf.length));
            }
            for (; mapped < n; mapped++) {
                partitionOf[mapped] = partitioner.partitionOf(engine.symbol(mapped));
            }
        }
    }
}
