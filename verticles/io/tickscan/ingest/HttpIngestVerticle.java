package io.tickscan.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.csv.TickCsvReader;
import io.tickscan.routing.TickRouter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the ticks posted to this node's {@code POST /api/ticks}, handed over by the web side on
 * {@link Addresses#INGEST_HTTP} with the format it decided ({@code format} header):
 * NDJSON ({@code {"symbol": "AAPL", "ts": 1700000000000, "price": 189.5, "size": 100}} a line, {@code ts} in any
 * form of the spec) or CSV with a header in either layout. Every row is validated and counted; the reply says
 * how many were accepted and, by reason, how many were not, with the first few errors and their lines. Rows
 * that arrive while the routing buffer is full are refused as {@code overloaded}, for the client to send again.
 */
public final class HttpIngestVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(HttpIngestVerticle.class);
    private static final int ERRORS_SHOWN = 10;

    private final MeterRegistry registry;
    private final LongSupplier clock;
    private SourceCounters counters;
    private TickRouter router;

    /**
     * @param registry where the source's meters go
     * @param clock    wall-clock milliseconds
     */
    public HttpIngestVerticle(MeterRegistry registry, LongSupplier clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        counters = new SourceCounters(registry, "http");
        router = TickRouter.forSource(vertx, config(), registry, "http");
        return vertx.eventBus().<Buffer>localConsumer(Addresses.INGEST_HTTP, this::onBody).completion();
    }

    @Override
    public Future<?> stop() {
        return router.close(SourceCounters.DRAIN_MS);
    }

    private void onBody(Message<Buffer> message) {
        Tally tally = new Tally(clock.getAsLong());
        try {
            if ("csv".equals(message.headers().get("format"))) {
                csv(message.body(), tally);
            } else {
                ndjson(message.body(), tally);
            }
        } catch (RuntimeException e) {
            LOG.error("reading a posted body failed after {} rows were accepted", tally.accepted, e);
            message.fail(500, "the body could not be read to the end; " + tally.accepted + " rows before the failure "
                    + "were accepted (see the node's log)");
            return;
        } finally {
            router.flushAll();
            counters.report();
            if (tally.throttled > 0) {
                counters.throttled(tally.throttled);
            }
        }
        message.reply(tally.toJson());
    }

    private void csv(Buffer body, Tally tally) {
        TickCsvReader reader = new TickCsvReader(new ByteArrayInputStream(body.getBytes()), null,
                new TickCsvReader.Sink() {
                    @Override
                    public void tick(String symbol, long ts, double price, double size) {
                        tally.offer(symbol, ts, price, size, -1);
                    }

                    @Override
                    public void reject(TickRejectReason reason, long line, String detail) {
                        tally.reject(reason, line, detail);
                    }
                });
        try {
            reader.readHeader();
            reader.readRows();
        } catch (TickCsvReader.FormatException e) {
            tally.reject(TickRejectReason.MALFORMED, 1, e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading from memory", e);
        }
    }

    private void ndjson(Buffer body, Tally tally) {
        String[] lines = body.toString().split("\n", -1);
        LineSink sink = new LineSink(tally);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (!line.isEmpty()) {
                sink.line = n + 1;
                JsonTicks.read(line, null, sink.line, sink);
            }
        }
    }

    /** Hands the ticks and rejects of one NDJSON line to the request's tally. */
    private static final class LineSink implements TickCsvReader.Sink {
        private final Tally tally;
        long line;

        LineSink(Tally tally) {
            this.tally = tally;
        }

        @Override
        public void tick(String symbol, long ts, double price, double size) {
            tally.offer(symbol, ts, price, size, line);
        }

        @Override
        public void reject(TickRejectReason reason, long number, String detail) {
            tally.reject(reason, number, detail);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Counts of one request. */
    private final class Tally {
        private final long arrivedAt;
        private final Map<String, Long> rejected = new TreeMap<>();
        private final JsonArray errors = new JsonArray();
        private long accepted;
        private long throttled;

        Tally(long arrivedAt) {
            this.arrivedAt = arrivedAt;
        }

        void offer(String symbol, long ts, double price, double size, long line) {
            TickRejectReason reason = TickRejectReason.check(symbol, ts, price, size);
            if (reason != null) {
                reject(reason, line, symbol + "," + ts + "," + price + "," + size);
                return;
            }
            if (!router.offer(symbol, ts, price, size, arrivedAt)) {
                throttled++;
                note("overloaded", line, "the node is busy; send this row again");
                return;
            }
            accepted++;
        }

        void reject(TickRejectReason reason, long line, String detail) {
            counters.count(reason);
            note(reason.label(), line, detail);
        }

        void note(String reason, long line, String detail) {
            rejected.merge(reason, 1L, Long::sum);
            if (errors.size() < ERRORS_SHOWN) {
                errors.add((line > 0 ? "line " + line + ": " : "") + reason + ": " + abbreviate(detail));
            }
        }

        JsonObject toJson() {
            return new JsonObject().put("accepted", accepted)
                    .put("rejected", new JsonObject(new java.util.LinkedHashMap<>(rejected)))
                    .put("errors", errors);
        }
    }
}
