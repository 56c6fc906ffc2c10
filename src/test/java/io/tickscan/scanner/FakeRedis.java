package io.tickscan.scanner;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.RequestImpl;
import io.vertx.redis.client.impl.types.BulkType;
import io.vertx.redis.client.impl.types.MultiType;
import io.vertx.redis.client.impl.types.NumberType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Redis of the commands a scanner's checkpoints send (INCR, MGET, the fenced write's EVAL), in memory. A request
 * can be failed, or held in flight: it takes effect, and is answered, only when the test releases it.
 */
final class FakeRedis implements Redis {
    private final Map<String, Buffer> values = new ConcurrentHashMap<>();
    private final Deque<Runnable> held = new ArrayDeque<>();
    private boolean failNext;
    private boolean holdNext;

    /** The next request (a batch counts as one) fails without taking effect. */
    synchronized void failNext() {
        failNext = true;
    }

    /** The next request (a batch counts as one) is held in flight until {@link #release}. */
    synchronized void holdNext() {
        holdNext = true;
    }

    /** Requests held in flight. */
    synchronized int held() {
        return held.size();
    }

    /** Lets the held requests take effect and answers them, in the order they were sent. */
    void release() {
        List<Runnable> going;
        synchronized (this) {
            going = new ArrayList<>(held);
            held.clear();
        }
        going.forEach(Runnable::run);
    }

    void set(String key, Buffer value) {
        values.put(key, value);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** The number stored at {@code key}; 0 when none. */
    long number(String key) {
        Buffer value = values.get(key);
        return value == null ? 0 : Long.parseLong(value.toString());
    }

    /** INCR, as another client sends it. */
    synchronized long incr(String key) {
        long next = number(key) + 1;
        values.put(key, Buffer.buffer(Long.toString(next)));
        return next;
    }

    @Override
    public Future<Response> send(Request request) {
        return batch(List.of(request)).map(replies -> replies.get(0));
    }

    @Override
    public synchronized Future<List<Response>> batch(List<Request> requests) {
        if (failNext) {
            failNext = false;
            return Future.failedFuture("connection lost (fake)");
        }
        Promise<List<Response>> replied = Promise.promise();
        Runnable run = () -> {
            List<Response> replies = new ArrayList<>();
            synchronized (this) {
                requests.forEach(r -> replies.add(execute((RequestImpl) r)));
            }
            replied.complete(replies);
        };
        if (holdNext) {
            holdNext = false;
            held.add(run);
        } else {
            run.run();
        }
        return replied.future();
    }

    private Response execute(RequestImpl request) {
        List<String> args = request.getArgs().stream().map(a -> new String(a, StandardCharsets.ISO_8859_1)).toList();
        if (request.command() == Command.INCR) {
            return NumberType.create(incr(args.get(0)));
        }
        if (request.command() == Command.MGET) {
            MultiType replies = MultiType.create(args.size(), false);
            args.forEach(key -> {
                Buffer value = values.get(key);
                replies.add(value == null ? null : BulkType.create(value, false));
            });
            return replies;
        }
        // Checkpoints.FENCED_WRITE: KEYS owner, offsets[, state]; ARGV token, offsets[, state]
        if (request.command() == Command.EVAL) {
            int keys = Integer.parseInt(args.get(1));
            if (number(args.get(2)) > Long.parseLong(args.get(2 + keys))) {
                return NumberType.create(0);
            }
            for (int k = 1; k < keys; k++) {
                values.put(args.get(2 + k), Buffer.buffer(request.getArgs().get(2 + keys + k)));
            }
            return NumberType.create(1);
        }
        throw new UnsupportedOperationException(request.command().toString());
    }

    @Override
    public Future<RedisConnection> connect() {
        return Future.failedFuture("not with the fake");
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
