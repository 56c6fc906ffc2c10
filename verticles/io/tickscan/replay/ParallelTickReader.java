package io.tickscan.replay;

import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.csv.TickCsvReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads and parses a tick file on a thread of its own, so that a replay's engine runs on one core while the file
 * is read on the other, and the reading starts while the rules are still being loaded. Rows are handed over in
 * chunks of parsed fields, a few chunks in flight and each used again once taken back ({@link #recycle}), so
 * nothing is allocated per row beyond what the reader itself does. Rejected rows go to the sink on the reading
 * thread, as the reader finds them.
 */
final class ParallelTickReader implements AutoCloseable {
    /** Rows per chunk. */
    static final int CHUNK_ROWS = 4096;
    private static final int CHUNKS = 4;

    /** Parsed ticks of up to {@link #CHUNK_ROWS} rows, with the reader's progress after them. */
    static final class Chunk {
        final String[] symbol = new String[CHUNK_ROWS];
        final long[] ts = new long[CHUNK_ROWS];
        final double[] price = new double[CHUNK_ROWS];
        final double[] size = new double[CHUNK_ROWS];
        final long[] line = new long[CHUNK_ROWS];
        int ticks;
        long rows;
        long bytesRead;
        boolean last;
        Exception failure;
    }

    /** Receives the reading thread's rejected rows. */
    interface Rejects {
        void reject(TickRejectReason reason, long line, String detail);
    }

    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS);
    private final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(CHUNKS);
    private final InputStream in;
    private final Thread thread;
    private volatile TickCsvReader.Layout layout;
    private volatile boolean closed;
    private Chunk peeked;

    /**
     * Starts reading {@code in} (header first) on a new daemon thread.
     *
     * @param fixedSymbol the symbol of a {@code timestamp,price,amount} file, or null
     */
    ParallelTickReader(InputStream in, String fixedSymbol, Rejects rejects) {
        this.in = in;
        for (int i = 0; i < CHUNKS; i++) {
            free.add(new Chunk());
        }
        this.thread = new Thread(() -> read(fixedSymbol, rejects), "replay-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void read(String fixedSymbol, Rejects rejects) {
        Chunk chunk = take(free);
        if (chunk == null) {
            return;
        }
        Filler filler = new Filler(rejects);
        TickCsvReader reader = new TickCsvReader(in, fixedSymbol, filler);
        filler.reader = reader;
        try {
            layout = reader.readHeader();
            boolean more = true;
            while (more && chunk != null) {
                filler.chunk = chunk;
                chunk.ticks = 0;
                more = reader.readRows(CHUNK_ROWS);
                chunk.rows = reader.rows();
                chunk.bytesRead = reader.bytesRead();
                chunk.last = !more;
                full.add(chunk);
                chunk = more ? take(free) : null;
            }
        } catch (IOException | TickCsvReader.FormatException | RuntimeException e) {
            chunk.failure = e;
            chunk.last = true;
            full.add(chunk);
        }
    }

    /** The next chunk from the free ones, or null once closed. */
    private Chunk take(BlockingQueue<Chunk> queue) {
        try {
            Chunk chunk = null;
            while (chunk == null && !closed) {
                chunk = queue.poll(100, TimeUnit.MILLISECONDS);
            }
            return chunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The file's layout, waiting for its header to be read.
     *
     * @throws TickCsvReader.FormatException when the header is missing or names no layout
     * @throws IOException                   when the file cannot be read
     */
    TickCsvReader.Layout layout() throws IOException, TickCsvReader.FormatException {
        if (layout == null && peeked == null) {
            peeked = next(); // its failure, or the rows after the header: the first call of next() returns it
        }
        if (layout == null) {
            rethrow(peeked.failure);
        }
        return layout;
    }

    /**
     * The next chunk in file order, waiting for it; {@link Chunk#last} marks the last one, whose
     * {@link Chunk#failure} says why the reading stopped early, if it did.
     */
    Chunk next() {
        Chunk chunk = peeked;
        peeked = null;
        try {
            while (chunk == null) {
                chunk = full.poll(100, TimeUnit.MILLISECONDS);
                if (chunk == null && !thread.isAlive() && full.isEmpty()) {
                    throw new IllegalStateException("the replay's reading thread ended without a last chunk");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ticks", e);
        }
        return chunk;
    }

    /** Hands a chunk taken with {@link #next} back for reading into. */
    void recycle(Chunk chunk) {
        chunk.failure = null;
        free.add(chunk);
    }

    /** Rethrows a reading failure as what the reader threw. */
    static void rethrow(Exception failure) throws IOException, TickCsvReader.FormatException {
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof TickCsvReader.FormatException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
    }

    /** Stops the reading thread (if it is still reading) and closes the input. */
    @Override
    public void close() throws IOException {
        closed = true;
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        in.close();
    }

    /** Puts each tick the reader parses into the current chunk. */
    private static final class Filler implements TickCsvReader.Sink {
        private final Rejects rejects;
        TickCsvReader reader;
        Chunk chunk;

        Filler(Rejects rejects) {
            this.rejects = rejects;
        }

        @Override
        public void tick(String symbol, long ts, double price, double size) {
            Chunk c = chunk;
            int i = c.ticks++;
            c.symbol[i] = symbol;
            c.ts[i] = ts;
            c.price[i] = price;
            c.size[i] = size;
            c.line[i] = reader.line();
        }

        @Override
        public void reject(TickRejectReason reason, long line, String detail) {
            rejects.reject(reason, line, detail);
        }
    }
}
