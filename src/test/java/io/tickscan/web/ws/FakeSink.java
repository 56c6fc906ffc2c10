package io.tickscan.web.ws;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** A {@link FrameSink} that keeps what is written and is full when told. */
final class FakeSink implements FrameSink {
    final List<JsonObject> frames = new ArrayList<>();
    boolean full;
    boolean reading = true;
    int pings;
    Short closeCode;
    boolean aborted;
    private Runnable drain;

    @Override
    public boolean full() {
        return full;
    }

    @Override
    public void write(String text) {
        frames.add(new JsonObject(text));
    }

    @Override
    public void onDrain(Runnable then) {
        drain = then;
    }

    /** The socket drains: runs what waited for it. */
    void drain() {
        full = false;
        Runnable then = drain;
        drain = null;
        if (then != null) {
            then.run();
        }
    }

    @Override
    public void pauseReading() {
        reading = false;
    }

    @Override
    public void resumeReading() {
        reading = true;
    }

    @Override
    public void ping() {
        pings++;
    }

    @Override
    public Future<Void> close(short code, String reason) {
        closeCode = code;
        return Future.succeededFuture();
    }

    @Override
    public void abort() {
        aborted = true;
    }

    /** The frames written so far, forgotten. */
    List<JsonObject> take() {
        List<JsonObject> taken = new ArrayList<>(frames);
        frames.clear();
        return taken;
    }
}
