package io.tickscan.scanner;

import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.StateImport;
import io.tickscan.routing.Partitioner;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    /** The partition of the engine's symbol at index {@code symbol}. */
    int partitionOf(int symbol) {
        mapSymbols();
        return partitionOf[symbol];
    }

    /** Partition {@code p}'s state: its held ticks, then the engine's export of its symbols. */
    Buffer export(int p) {
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
        if (value.length() < 8 || value.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not a tickscan partition state of this version");
        }
        int at = 8;
        for (int i = value.getInt(4); i > 0; i--) {
            at += 1 + value.getUnsignedByte(at) + 24;
        }
        StateImport result = engine.importState(value.getBytes(at, value.length()), handedOver);
        imported.accept(result);
        at = 8;
        for (int i = value.getInt(4); i > 0; i--) {
            int length = value.getUnsignedByte(at);
            String symbol = value.getString(at + 1, at + 1 + length, StandardCharsets.US_ASCII.name());
            at += 1 + length;
            heldAgain.apply(symbol, value.getLong(at), value.getDouble(at + 8), value.getDouble(at + 16),
                    System.currentTimeMillis());
            at += 24;
        }
        return result;
    }

    /**
     * Gives partition {@code p} up: the engine forgets its symbols ({@link ScanEngine#release}) and its held ticks
     * are dropped (they went with its {@link #export}); returns how many symbols it had.
     */
    int release(int p) {
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
