package io.tickscan.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.csv.TickCsvReader;
import io.tickscan.routing.TickRouter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a CSV file of ticks (either layout of the spec) into the node: at the file's own pace ({@code 1x}),
 * faster ({@code 10x}) or as fast as the node takes them ({@code max}), once or in a loop. Each tick is
 * re-stamped with the wall-clock time at which it is played, so that live scanning sees it as current; the
 * file's timestamps only set the pace. Rows that cannot be read are counted by reason. When the routing buffer
 * is full, reading pauses. Deploy it as a worker verticle: it reads the file with blocking I/O.
 *
 * <p>Config: {@code file} (the {@code sources.file.*} settings), {@code routing}, {@code partitions}.
 */
public final class FileSourceVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(FileSourceVerticle.class);
    private static final int CHUNK = 4096;

    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final Chunk chunk = new Chunk();
    private SourceCounters counters;
    private TickRouter router;
    private Path path;
    private String symbol;
    private double speed;
    private boolean loop;
    private InputStream in;
    private TickCsvReader reader;
    private int next;
    private long firstTs = Long.MIN_VALUE;
    private long startedAt;
    private boolean stopped;

    /**
     * @param registry where the source's meters go
     * @param clock    wall-clock milliseconds
     */
    public FileSourceVerticle(MeterRegistry registry, LongSupplier clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public Future<?> start() throws Exception {
        JsonObject file = config().getJsonObject("file");
        path = Path.of(file.getString("path"));
        symbol = file.getString("symbol").isEmpty() ? null : file.getString("symbol");
        String pace = file.getString("speed");
        speed = pace.equals("max") ? Double.POSITIVE_INFINITY
                : Double.parseDouble(pace.substring(0, pace.length() - 1));
        loop = file.getBoolean("loop");
        counters = new SourceCounters(registry, "file");
        router = TickRouter.forSource(vertx, config(), registry, "file");
        open();
        vertx.runOnContext(v -> play());
        LOG.info("file source: {} at {}{}", path, pace, loop ? ", looping" : "");
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() throws IOException {
        stopped = true;
        in.close();
        return router.close(SourceCounters.DRAIN_MS);
    }

    private void open() throws IOException, TickCsvReader.FormatException {
        if (in != null) {
            in.close();
        }
        in = Files.newInputStream(path);
        reader = new TickCsvReader(in, symbol, new TickCsvReader.Sink() {
            @Override
            public void tick(String s, long ts, double price, double size) {
                chunk.add(s, ts, price, size);
            }

            @Override
            public void reject(TickRejectReason reason, long line, String detail) {
                counters.count(reason);
            }
        });
        TickCsvReader.Layout layout = reader.readHeader();
        if (layout == TickCsvReader.Layout.TIMESTAMP_PRICE_AMOUNT && symbol == null) {
            throw new IllegalArgumentException("sources.file.symbol is required: " + path + " has the "
                    + layout.header() + " layout, which names no symbol");
        }
        firstTs = Long.MIN_VALUE;
    }

    /** Plays rows until the buffer is full or the next row is not due yet, then comes back. */
    private void play() {
        if (stopped) {
            return;
        }
        try {
            while (true) {
                if (next == chunk.count) {
                    chunk.count = 0;
                    next = 0;
                    boolean more = reader.readRows(CHUNK);
                    counters.report();
                    if (!more && chunk.count == 0) {
                        if (!loop) {
                            router.flushAll();
                            LOG.info("file source: {} played to the end ({} rows)", path, reader.rows());
                            return;
                        }
                        open();
                        continue;
                    }
                }
                long ts = chunk.timestamps[next];
                long now = clock.getAsLong();
                if (firstTs == Long.MIN_VALUE) {
                    firstTs = ts;
                    startedAt = now;
                }
                long due = startedAt + (long) ((ts - firstTs) / speed);
                if (due > now) {
                    vertx.setTimer(Math.min(1000, due - now), id -> play());
                    return;
                }
                if (!router.offer(chunk.symbols[next], now, chunk.prices[next], chunk.sizes[next], now)) {
                    counters.throttled(1);
                    vertx.setTimer(1, id -> play());
                    return;
                }
                next++;
            }
        } catch (IOException | TickCsvReader.FormatException e) {
            LOG.error("file source stopped: {}: {}", path, e.getMessage());
        }
    }

    /** The ticks of the rows read last, in columns (a chunk holds at most {@link #CHUNK}). */
    private static final class Chunk {
        final String[] symbols = new String[CHUNK];
        final long[] timestamps = new long[CHUNK];
        final double[] prices = new double[CHUNK];
        final double[] sizes = new double[CHUNK];
        int count;

        void add(String symbol, long ts, double price, double size) {
            symbols[count] = symbol;
            timestamps[count] = ts;
            prices[count] = price;
            sizes[count] = size;
            count++;
        }
    }
}
