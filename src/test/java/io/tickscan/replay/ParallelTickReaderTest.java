package io.tickscan.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickscan.engine.TickRejectReason;
import io.tickscan.ingest.csv.TickCsvReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParallelTickReaderTest {

    private static InputStream csv(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void handsOverEveryTickInFileOrderAcrossChunksWithLinesAndRejects() throws Exception {
        int rows = ParallelTickReader.CHUNK_ROWS * 3 + 17;
        StringBuilder text = new StringBuilder("ts,symbol,price,size\n");
        for (int i = 0; i < rows; i++) {
            text.append(i == 5000 ? "oops" : Long.toString(1_700_000_000_000L + i)).append(",S").append(i % 7)
                    .append(',').append(100 + i % 13).append(",1\n");
        }
        List<String> rejects = Collections.synchronizedList(new ArrayList<>());
        List<Long> ts = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        long read;
        try (ParallelTickReader reader = new ParallelTickReader(csv(text.toString()), null,
                (reason, line, detail) -> rejects.add(reason + "@" + line))) {
            assertThat(reader.layout()).isEqualTo(TickCsvReader.Layout.TS_SYMBOL_PRICE_SIZE);
            while (true) {
                ParallelTickReader.Chunk chunk = reader.next();
                for (int i = 0; i < chunk.ticks; i++) {
                    ts.add(chunk.ts[i]);
                    lines.add(chunk.line[i]);
                    assertThat(chunk.symbol[i]).isEqualTo("S" + (chunk.ts[i] - 1_700_000_000_000L) % 7);
                }
                read = chunk.rows;
                boolean last = chunk.last;
                assertThat(chunk.failure).isNull();
                reader.recycle(chunk);
                if (last) {
                    break;
                }
            }
        }
        assertThat(read).isEqualTo(rows);
        assertThat(ts).hasSize(rows - 1).isSorted();
        assertThat(ts.get(0)).isEqualTo(1_700_000_000_000L);
        assertThat(lines.get(0)).isEqualTo(2);
        assertThat(lines.get(rows - 2)).isEqualTo(rows + 1);
        assertThat(rejects).containsExactly(TickRejectReason.BAD_TS + "@5002");
    }

    @Test
    void aBadHeaderIsTheLayoutsFailure() throws Exception {
        try (ParallelTickReader reader = new ParallelTickReader(csv("when,what\n1,2\n"), null, (r, l, d) -> { })) {
            assertThatThrownBy(reader::layout).isInstanceOf(TickCsvReader.FormatException.class)
                    .hasMessageContaining("unknown header 'when,what'");
        }
    }

    @Test
    void aReadFailureEndsTheRowsWithIt() throws Exception {
        InputStream failing = new InputStream() {
            private final InputStream head = csv("ts,symbol,price,size\n1700000000000,A,1,1\n");

            @Override
            public int read() throws IOException {
                int b = head.read();
                if (b < 0) {
                    throw new IOException("disk gone");
                }
                return b;
            }
        };
        try (ParallelTickReader reader = new ParallelTickReader(failing, null, (r, l, d) -> { })) {
            reader.layout();
            ParallelTickReader.Chunk chunk = reader.next();
            assertThat(chunk.last).isTrue();
            assertThat(chunk.failure).isInstanceOf(IOException.class).hasMessage("disk gone");
        }
    }

    @Test
    void closingBeforeTheEndStopsTheReadingThread() throws Exception {
        StringBuilder text = new StringBuilder("ts,symbol,price,size\n");
        for (int i = 0; i < ParallelTickReader.CHUNK_ROWS * 20; i++) {
            text.append(1_700_000_000_000L + i).append(",A,1,1\n");
        }
        ParallelTickReader reader = new ParallelTickReader(csv(text.toString()), null, (r, l, d) -> { });
        reader.next(); // the reader now waits for chunks to be handed back
        long before = System.nanoTime();
        reader.close();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("replay-reader"));
    }
}
