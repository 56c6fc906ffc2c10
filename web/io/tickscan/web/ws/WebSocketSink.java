package io.tickscan.web.ws;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/** A {@link FrameSink} over a server websocket. */
final class WebSocketSink implements FrameSink {
    private static final Buffer EMPTY = Buffer.buffer();
    private final ServerWebSocket ws;

    WebSocketSink(ServerWebSocket ws) {
        this.ws = ws;
    }

    @Override
    public boolean full() {
        return !ws.isClosed() && ws.writeQueueFull();
    }

    @Override
    public void write(String text) {
        if (!ws.isClosed()) {
            ws.writeTextMessage(text);
        }
    }

    @Override
    public void onDrain(Runnable then) {
        ws.drainHandler(v -> {
            ws.drainHandler(null);
            then.run();
        });
    }

    @Override
    public void pauseReading() {
        ws.pause();
    }

    @Override
    public void resumeReading() {
        ws.resume();
    }

    @Override
    public void ping() {
        if (!ws.isClosed()) {
            ws.writePing(EMPTY);
        }
    }

    @Override
    public Future<Void> close(short code, String reason) {
        return ws.isClosed() ? Future.succeededFuture() : ws.close(code, reason);
    }

    /** Closes the channel itself: the public API only closes once the close frame is written. */
    @Override
    public void abort() {
        if (ws instanceof WebSocketInternal internal) {
            internal.channelHandlerContext().close();
        }
    }
}
