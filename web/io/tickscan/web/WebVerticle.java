package io.tickscan.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickscan.codec.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The node's HTTP side: {@code POST /api/ticks}, {@code GET} and {@code PUT /api/rules}, {@code /metrics}
 * (Prometheus), {@code /health/live} and {@code /health/ready}. It only talks to the rest of the node over the
 * event bus ({@link Addresses}), never to the scanner's classes.
 *
 * <p>Config: {@code host}, {@code port} (0 for any free port), {@code max_body_bytes}.
 */
public final class WebVerticle extends VerticleBase {
    private final PrometheusMeterRegistry registry;
    private HttpServer server;

    /** @param registry the registry {@code /metrics} shows */
    public WebVerticle(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config().getLong("max_body_bytes"));
        router.post("/api/ticks").handler(body).handler(this::postTicks);
        router.get("/api/rules").handler(this::getRules);
        router.put("/api/rules").handler(body).handler(this::putRules);
        router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
        router.get("/health/live").handler(HealthCheckHandler.create(vertx)
                .register("event-loop", promise -> promise.complete(Status.OK())));
        router.get("/health/ready").handler(HealthCheckHandler.create(vertx).register("node", 2000, promise ->
                vertx.eventBus().<JsonObject>request(Addresses.NODE_READINESS, null).onComplete(reply -> {
                    if (reply.succeeded() && reply.result().body().getBoolean("ready")) {
                        promise.complete(Status.OK(reply.result().body()));
                    } else {
                        promise.complete(Status.KO(reply.succeeded() ? reply.result().body()
                                : new JsonObject().put("why", "starting")));
                    }
                })));
        router.route().last().handler(ctx -> json(ctx, 404, new JsonObject().put("error", "no such resource: "
                + ctx.request().method() + " " + ctx.request().path())));
        router.route().failureHandler(this::failed);
        return vertx.createHttpServer().requestHandler(router)
                .listen(config().getInteger("port"), config().getString("host"))
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture(new IllegalStateException("http.host/http.port "
                        + config().getString("host") + ":" + config().getInteger("port") + ": " + e.getMessage(), e)));
    }

    /** The port the server listens on (useful when configured with 0). */
    public int port() {
        return server.actualPort();
    }

    private void postTicks(RoutingContext ctx) {
        Buffer payload = ctx.body().buffer();
        if (payload == null || payload.length() == 0) {
            json(ctx, 400, new JsonObject().put("error", "the body is empty: send NDJSON ticks or CSV with a header"));
            return;
        }
        String type = String.valueOf(ctx.request().getHeader("content-type"));
        vertx.eventBus().<JsonObject>request(Addresses.INGEST_HTTP, payload,
                new DeliveryOptions().addHeader("content-type", type)).onComplete(reply -> {
                    if (reply.succeeded()) {
                        json(ctx, 200, reply.result().body());
                    } else {
                        unavailable(ctx, reply.cause(), "HTTP ingest is not enabled on this node");
                    }
                });
    }

    private void getRules(RoutingContext ctx) {
        vertx.eventBus().<String>request(Addresses.RULES_CURRENT, null).onComplete(reply -> {
            if (reply.succeeded()) {
                ctx.response().putHeader("content-type", "application/json").end(reply.result().body());
            } else {
                unavailable(ctx, reply.cause(), "rules are not loaded yet");
            }
        });
    }

    private void putRules(RoutingContext ctx) {
        String text = ctx.body().asString();
        if (text == null || text.isBlank()) {
            json(ctx, 400, new JsonObject().put("error", "the body is empty: send a rules file (JSON)"));
            return;
        }
        vertx.eventBus().<JsonObject>request(Addresses.RULES_REPLACE, text).onComplete(reply -> {
            if (reply.succeeded()) {
                JsonObject result = reply.result().body();
                json(ctx, result.getBoolean("accepted") ? 200 : 422, result);
            } else {
                unavailable(ctx, reply.cause(), "rules cannot be replaced yet");
            }
        });
    }

    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String error = status == 413 ? "the body is larger than http.max_body_bytes ("
                + config().getLong("max_body_bytes") + " bytes); send it in parts"
                : ctx.failure() != null ? String.valueOf(ctx.failure().getMessage()) : "request failed";
        if (!ctx.response().ended()) {
            json(ctx, status, new JsonObject().put("error", error));
        }
    }

    private static void unavailable(RoutingContext ctx, Throwable cause, String noHandlers) {
        boolean absent = cause instanceof ReplyException e && e.failureType() == ReplyFailure.NO_HANDLERS;
        json(ctx, 503, new JsonObject().put("error", absent ? noHandlers : String.valueOf(cause.getMessage())));
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
}
