package io.tickscan.scanner;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongConsumer;

/** Timers that fire when the test says, on the context that set them. */
final class ManualTimers implements ScanSchedule.Timers {
    private record Pending(long id, long delayMs, LongConsumer task, Context context) {
    }

    private final Deque<Pending> pending = new ArrayDeque<>();
    private long nextId;

    @Override
    public synchronized long set(long delayMs, LongConsumer task) {
        pending.add(new Pending(++nextId, delayMs, task, Vertx.currentContext()));
        return nextId;
    }

    @Override
    public synchronized void cancel(long id) {
        pending.removeIf(p -> p.id() == id);
    }

    /** Timers armed and not yet fired. */
    synchronized int armed() {
        return pending.size();
    }

    /** The delay of the oldest armed timer. */
    synchronized long nextDelay() {
        return pending.getFirst().delayMs();
    }

    /** Fires the oldest armed timer; completes once its task has run. */
    Future<Void> fire() {
        Pending next;
        synchronized (this) {
            next = pending.poll();
        }
        if (next == null) {
            return Future.failedFuture("no timer is armed");
        }
        Promise<Void> ran = Promise.promise();
        Runnable run = () -> {
            try {
                next.task().accept(next.id());
                ran.complete();
            } catch (RuntimeException e) {
                ran.fail(e);
            }
        };
        if (next.context() != null) {
            next.context().runOnContext(v -> run.run());
        } else {
            run.run();
        }
        return ran.future();
    }
}
