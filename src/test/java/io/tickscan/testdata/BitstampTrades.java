package io.tickscan.testdata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The 100,000 real BTC/USD trades Bitstamp published from 25 Nov 2013, shipped at the root of
 * {@code org.ta4j:ta4j-examples:0.18}: {@code timestamp,price,amount}, Unix seconds.
 */
public final class BitstampTrades {
    /** The resource name at the jar root. */
    public static final String RESOURCE = "bitstamp_trades_from_20131125_usd.csv";

    /** One trade. */
    public record Trade(long seconds, double price, double amount) {
    }

    private BitstampTrades() {
    }

    /** Every trade in file order, parsed with the JDK alone (independent of the code under test). */
    public static List<Trade> load() {
        List<Trade> trades = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(open(), StandardCharsets.UTF_8))) {
            String line = reader.readLine(); // header
            while ((line = reader.readLine()) != null) {
                String[] f = line.split(",");
                trades.add(new Trade(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return trades;
    }

    /** Copies the CSV to {@code dir} and returns its path. */
    public static Path copyTo(Path dir) throws IOException {
        Path file = dir.resolve(RESOURCE);
        try (InputStream in = open()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    private static InputStream open() {
        InputStream in = BitstampTrades.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException(RESOURCE + " is not on the test classpath (org.ta4j:ta4j-examples:0.18)");
        }
        return in;
    }

    /**
     * 1-minute closes from the first trade's minute to the last's, a quiet minute repeating the previous close:
     * element k is the close of minute {@code firstMinute + k}.
     */
    public static double[] minuteCloses(List<Trade> trades) {
        long first = trades.get(0).seconds() / 60;
        long last = trades.get(trades.size() - 1).seconds() / 60;
        double[] closes = new double[(int) (last - first + 1)];
        boolean[] seen = new boolean[closes.length];
        long newest = Long.MIN_VALUE;
        for (Trade t : trades) {
            int k = (int) (t.seconds() / 60 - first);
            if (t.seconds() >= newest) {   // the newest trade (last on a tie) sets the close
                newest = t.seconds();
                closes[k] = t.price();
                seen[k] = true;
            }
        }
        for (int k = 1; k < closes.length; k++) {
            if (!seen[k]) {
                closes[k] = closes[k - 1];
            }
        }
        return closes;
    }
}
