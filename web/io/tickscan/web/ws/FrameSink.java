package io.tickscan.web.ws;

import io.vertx.core.Future;

/** Where one client's frames go: its websocket, or a fake in tests. */
interface FrameSink {
    /** True when the socket's write queue is full: nothing more should be written until it drains. */
    boolean full();

    /** Writes one text message. */
    void write(String text);

    /** Runs {@code then} once, the next time the write queue drains. */
    void onDrain(Runnable then);

    /** Stops reading the client's messages (until {@link #resumeReading()}). */
    void pauseReading();

    void resumeReading();

    /** Sends a ping. */
    void ping();

    /** Closes the connection with a close frame of {@code code} and {@code reason}. */
    Future<Void> close(short code, String reason);

    /**
     * Drops the connection without waiting for the close frame to be written: for a client that does not read,
     * whose close frame waits behind everything it did not take.
     */
    void abort();
}
