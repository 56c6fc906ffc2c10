package io.tickscan.bench;

import io.tickscan.testdata.BitstampTrades;
import io.tickscan.testdata.BitstampTrades.Trade;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes the replay benchmark's tick file from the real Bitstamp trades: {@code ts,symbol,price,size}, four
 * symbols in one stream. Each trade is written once per symbol (scaled prices, the same sizes, a few
 * milliseconds apart), and the 6.7 days of trades are laid end to end {@code repeats} times, so the file holds
 * {@code 400,000 x repeats} real-shaped ticks in time order.
 *
 * <p>Usage: {@code ReplayBenchData OUT.csv [repeats]}.
 */
public final class ReplayBenchData {
    private static final String[] SYMBOLS = {"BTCUSD", "BTCEUR", "BTCGBP", "BTCJPY"};
    private static final double[] SCALE = {1, 0.74, 0.61, 102.5};

    private ReplayBenchData() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Trade> trades = BitstampTrades.load();
        long span = (trades.get(trades.size() - 1).seconds() - trades.get(0).seconds() + 60) * 1000;
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write("ts,symbol,price,size\n");
            for (int r = 0; r < repeats; r++) {
                for (Trade t : trades) {
                    long ts = t.seconds() * 1000 + r * span;
                    for (int s = 0; s < SYMBOLS.length; s++) {
                        w.write(Long.toString(ts + s));
                        w.write(',');
                        w.write(SYMBOLS[s]);
                        w.write(',');
                        w.write(String.format(Locale.ROOT, "%.2f", t.price() * SCALE[s]));
                        w.write(',');
                        w.write(Double.toString(t.amount()));
                        w.write('\n');
                    }
                }
            }
        }
    }
}
