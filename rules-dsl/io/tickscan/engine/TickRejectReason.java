package io.tickscan.engine;

import io.tickscan.rules.Symbols;
import java.util.Locale;

/** Why a tick was refused before reaching any state. Each source counts its rejects by these reasons. */
public enum TickRejectReason {
    /** A row that does not have the fields of its layout, or a field that cannot be read. */
    MALFORMED,
    /** A symbol that is not 1 to 32 of {@code A-Z a-z 0-9 . _ - / :}. */
    BAD_SYMBOL,
    /** A timestamp that is not an instant from 1970 to the end of year 9999. */
    BAD_TS,
    /** A price that is not a finite number above 0. */
    BAD_PRICE,
    /** A size that is not a finite number of at least 0. */
    BAD_SIZE,
    /** In replay, a tick more than the allowed gap after the newest tick so far. */
    JUMP,
    /** In live mode, a tick too far ahead of the node's clock. */
    FUTURE;

    /** The latest timestamp accepted: 9999-12-31T23:59:59.999Z, in epoch milliseconds. */
    public static final long MAX_TS = 253_402_300_799_999L;

    /** The lower-case label used in summaries and metrics ({@code bad_price}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Checks a tick's fields against the contract.
     *
     * @return the first reason it is refused, or null when it is valid
     */
    public static TickRejectReason check(CharSequence symbol, long ts, double price, double size) {
        if (!Symbols.isValid(symbol)) {
            return BAD_SYMBOL;
        }
        if (ts < 0 || ts > MAX_TS) {
            return BAD_TS;
        }
        if (!(price > 0) || price == Double.POSITIVE_INFINITY) {
            return BAD_PRICE;
        }
        if (!(size >= 0) || size == Double.POSITIVE_INFINITY) {
            return BAD_SIZE;
        }
        return null;
    }
}
