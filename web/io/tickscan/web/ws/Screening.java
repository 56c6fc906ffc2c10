package io.tickscan.web.ws;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * One client's {@code screen}: asks the screener at once and then every second, and sends each answer as a
 * {@code matches} frame. A failed answer (a rule no scanner runs, a bad sort, no scanner answering) is sent as an
 * {@code error} frame and ends the screen, rather than asking the cluster again every second for ever; the
 * client may send {@code screen} again. A question still unanswered when the next second comes is not asked
 * again on top of it; an answer that arrives after {@code unscreen} is dropped.
 */
final class Screening {
    static final long PERIOD_MS = 1000;
    private final Vertx vertx;
    private final Function<JsonObject, Future<JsonObject>> screener;
    private final AlertClient client;
    private final ClientMessage.Screen screen;
    private long timer = -1;
    private boolean asking;
    private boolean stopped;

    Screening(Vertx vertx, Function<JsonObject, Future<JsonObject>> screener, AlertClient client,
              ClientMessage.Screen screen) {
        this.vertx = vertx;
        this.screener = screener;
        this.client = client;
        this.screen = screen;
    }

    void start() {
        ask();
        timer = vertx.setPeriodic(PERIOD_MS, id -> ask());
    }

    void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
    }

    private void ask() {
        if (asking || stopped || client.closed()) {
            return;
        }
        asking = true;
        Future<JsonObject> answer;
        try {
            answer = screener.apply(screen.query().copy());
        } catch (RuntimeException e) {
            answer = Future.failedFuture(e);
        }
        answer.onComplete(result -> {
            asking = false;
            if (stopped) {
                return;
            }
            if (result.succeeded()) {
                client.matches(screen.rule(), result.result());
            } else {
                stop();
                client.error("screen " + screen.rule() + ": " + result.cause().getMessage()
                        + "; the screen has stopped (send screen again)");
            }
        });
    }
}
