package io.tickscan.web;

/** Values a client sent, quoted back in a message: cut to a readable length. */
public final class Echo {
    /** Longest value quoted back. */
    public static final int MAX = 80;

    private Echo() {
    }

    /** {@code value}, cut to {@value #MAX} characters with an ellipsis. */
    public static String cut(String value) {
        return value.length() > MAX ? value.substring(0, MAX) + "..." : value;
    }
}
