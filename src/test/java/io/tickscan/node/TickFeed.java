package io.tickscan.node;

import io.tickscan.ingest.KafkaNodes;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A steady tick load on a Kafka topic from its own thread: {@code ticksPerSecond} ticks, sent every 5 ms as many as
 * are due, each for a symbol drawn from a seeded generator, at a price that walks from 100 by the same generator
 * (four decimals, so the CSV and the JSON give the same double), stamped with the wall clock when it is sent (never
 * behind the previous stamp), keyed by symbol so that one symbol's ticks stay in order. Every tick sent is also
 * written, in the order sent, to a CSV ({@code ts,symbol,price,size}) that {@code replay} reads.
 */
final class TickFeed implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final List<String> symbols;
    private final int ticksPerSecond;
    private final BufferedWriter csv;
    private final Random random;
    private final double[] prices;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private long sent;
    private volatile long lastTs;

    TickFeed(String bootstrap, String topic, List<String> symbols, int ticksPerSecond, long seed, Path csv)
            throws IOException {
        this.producer = KafkaNodes.producer(bootstrap);
        this.topic = topic;
        this.symbols = symbols;
        this.ticksPerSecond = ticksPerSecond;
        this.csv = Files.newBufferedWriter(csv);
        this.csv.write("ts,symbol,price,size\n");
        this.random = new Random(seed);
        this.prices = new double[symbols.size()];
        java.util.Arrays.fill(prices, 100);
        this.thread = new Thread(this::run, "tick-feed");
    }

    void start() {
        thread.start();
    }

    private void run() {
        long start = System.nanoTime();
        try {
            while (running) {
                long due = (System.nanoTime() - start) * ticksPerSecond / 1_000_000_000L;
                while (sent < due) {
                    send();
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            producer.flush();
            csv.flush();
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    private void send() throws IOException {
        int s = random.nextInt(symbols.size());
        prices[s] = Math.max(1, prices[s] * (1 + random.nextGaussian() * 0.0005));
        String price = String.format(Locale.ROOT, "%.4f", prices[s]);
        long ts = Math.max(lastTs, System.currentTimeMillis());
        String symbol = symbols.get(s);
        producer.send(new ProducerRecord<>(topic, symbol, KafkaNodes.tick(symbol, ts, Double.parseDouble(price))),
                (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
        csv.write(ts + "," + symbol + "," + price + "," + KafkaNodes.TICK_SIZE + "\n");
        lastTs = ts;
        sent++;
    }

    /** The stamp of the newest tick sent. */
    long lastTs() {
        return lastTs;
    }

    /** Stops sending, waits until every tick sent is acknowledged and written to the CSV; returns the count sent. */
    long stop() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        if (failure.get() != null) {
            throw new IllegalStateException("the tick feed failed", failure.get());
        }
        return sent;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        producer.close();
        try {
            csv.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
