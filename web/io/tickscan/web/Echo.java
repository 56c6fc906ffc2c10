package io.tickscan.web;

/** Values a client sent, quoted back in a message: cut to a readable length. */
final class Echo {
    static final int MAX = 80;

    private Echo() {
    }

    /** {@code value}, cut to {@value #MAX} characters with an ellipsis. */
    static String cut(String value) {
        return value.length() > MAX ? value.substring(0, MAX) + "..." : value;
    }
}
