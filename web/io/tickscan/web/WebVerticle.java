package io.tickscan.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tickscan.codec.Addresses;
import io.tickscan.web.ws.AlertSockets;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP side: {@code POST /api/ticks}, {@code GET} and {@code PUT /api/rules}, {@code GET /api/status},
 * {@code /metrics} (Prometheus), {@code /health/live} and {@code /health/ready}. Everything it asks goes to this
 * node's own consumers ({@link Addresses#local()}), so another member, dead or alive, never answers or delays
 * it; it never touches the scanner's or the engine's classes.
 *
 * <p>Bodies are read raw ({@link RawBody}) and their format decided by {@link BodyFormat}, so that curl's
 * defaults work at any size. Errors are JSON {@code {"error": "..."}} in plain words: 400 for a body that cannot
 * be read, 405 with {@code Allow} for a wrong method, 413 beyond {@code http.max_body_bytes}, 415 for a content
 * type that cannot be read, 503 while something this node needs is missing, 504 when the cluster did not confirm a
 * rule set in time.
 *
 * <p>Config: {@code host}, {@code port} (0 for any free port), {@code max_body_bytes}.
 */
public final class WebVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(WebVerticle.class);
    private final PrometheusMeterRegistry registry;
    private HttpServer server;
    private AlertSockets alertSockets;

    /** @param registry the registry {@code /metrics} shows */
    public WebVerticle(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        RawBody body = new RawBody(config().getLong("max_body_bytes"));
        router.post("/api/ticks").handler(body).handler(this::postTicks);
        allow(router, "/api/ticks", HttpMethod.POST);
        router.get("/api/rules").handler(this::getRules);
        router.put("/api/rules").handler(body).handler(this::putRules);
        allow(router, "/api/rules", HttpMethod.GET, HttpMethod.PUT);
        router.get("/api/status").handler(this::getStatus);
        allow(router, "/api/status", HttpMethod.GET);
        router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
        allow(router, "/metrics", HttpMethod.GET);
        router.get("/health/live").handler(HealthCheckHandler.create(vertx)
                .register("event-loop", promise -> promise.complete(Status.OK())));
        router.get("/health/ready").handler(HealthCheckHandler.create(vertx).register("node", 2000, promise ->
                vertx.eventBus().<JsonObject>request(Addresses.NODE_STATUS, null, Addresses.local())
                        .onComplete(reply -> {
                            if (reply.succeeded() && reply.result().body().getBoolean("ready")) {
                                promise.complete(Status.OK(reply.result().body()));
                            } else {
                                promise.complete(Status.KO(reply.succeeded() ? reply.result().body()
                                        : new JsonObject().put("why", "starting")));
                            }
                        })));
        allow(router, "/health/live", HttpMethod.GET);
        allow(router, "/health/ready", HttpMethod.GET);
        router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
        router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html"));
        router.route().last().handler(ctx -> json(ctx, 404, error("no such resource: " + ctx.request().method()
                + " " + Echo.cut(ctx.request().path()))));
        router.route().failureHandler(this::failed);
        alertSockets = new AlertSockets(vertx, config(),
                query -> Future.failedFuture("the screener is not available on this node yet"));
        return alertSockets.start().compose(v -> vertx.createHttpServer(alertSockets.configure(new HttpServerOptions()))
                        .requestHandler(router).webSocketHandshakeHandler(alertSockets::handshake)
                        .webSocketHandler(alertSockets::connect)
                        .listen(config().getInteger("port"), config().getString("host")))
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture(new IllegalStateException("http.host/http.port "
                        + config().getString("host") + ":" + config().getInteger("port") + ": " + e.getMessage(), e)));
    }

    @Override
    public Future<?> stop() {
        return alertSockets == null ? Future.succeededFuture() : alertSockets.close();
    }

    /** The alert websocket of this instance: its history ({@code GET /api/alerts}) and client count. */
    public AlertSockets alertSockets() {
        return alertSockets;
    }

    /** The port the server listens on (useful when configured with 0). */
    public int port() {
        return server.actualPort();
    }

    /** Answers 405 with {@code Allow} for any other method on {@code path}. */
    private static void allow(Router router, String path, HttpMethod... methods) {
        String allowed = Arrays.stream(methods).map(HttpMethod::name).collect(Collectors.joining(", "));
        router.route(path).handler(ctx -> {
            ctx.response().putHeader("allow", allowed);
            json(ctx, 405, error(ctx.request().method() + " is not allowed on " + path + "; use " + allowed));
        });
    }

    private void postTicks(RoutingContext ctx) {
        Buffer payload = RawBody.of(ctx);
        if (isBlank(payload)) {
            json(ctx, 400, error("the body is empty: send NDJSON ticks or CSV with a header"));
            return;
        }
        BodyFormat format;
        try {
            format = BodyFormat.of(ctx.request().getHeader("content-type"), payload);
        } catch (BodyFormat.Unreadable e) {
            json(ctx, e.status, error(e.getMessage()));
            return;
        }
        vertx.eventBus().<JsonObject>request(Addresses.INGEST_HTTP, payload,
                        Addresses.local().addHeader("format", format.name().toLowerCase(Locale.ROOT)))
                .onComplete(reply -> {
                    if (reply.succeeded()) {
                        json(ctx, 200, reply.result().body());
                    } else {
                        unavailable(ctx, reply.cause(),
                                "HTTP ingest is not enabled on this node (sources.http.enabled)");
                    }
                });
    }

    private void getRules(RoutingContext ctx) {
        vertx.eventBus().<JsonObject>request(Addresses.RULES_CURRENT, null, Addresses.local()).onComplete(reply -> {
            if (reply.failed()) {
                unavailable(ctx, reply.cause(), "rules are not loaded yet");
                return;
            }
            JsonObject current = reply.result().body();
            Object file = Json.decodeValue(current.getString("text"));
            Object rules = file instanceof JsonObject object ? object.getValue("rules") : file;
            ctx.response().putHeader("etag", "\"" + current.getLong("version") + "\"");
            json(ctx, 200, new JsonObject().put("version", current.getLong("version")).put("rules", rules));
        });
    }

    private void putRules(RoutingContext ctx) {
        Buffer payload = RawBody.of(ctx);
        if (isBlank(payload)) {
            json(ctx, 400, error("the body is empty: send a rules file (JSON)"));
            return;
        }
        String type = ctx.request().getHeader("content-type");
        if (!BodyFormat.mayHoldJson(type)) {
            json(ctx, 415, error("content-type " + Echo.cut(type) + " cannot be read: send the rules file as "
                    + "application/json"));
            return;
        }
        vertx.eventBus().<JsonObject>request(Addresses.RULES_REPLACE, payload.toString(), Addresses.local())
                .onComplete(reply -> {
                    if (reply.succeeded()) {
                        JsonObject result = reply.result().body();
                        json(ctx, result.getBoolean("accepted") ? 200 : 422, result);
                    } else {
                        unavailable(ctx, reply.cause(), "rules cannot be replaced yet");
                    }
                });
    }

    private void getStatus(RoutingContext ctx) {
        vertx.eventBus().<JsonObject>request(Addresses.NODE_STATUS, null, Addresses.local()).onComplete(reply -> {
            if (reply.succeeded()) {
                json(ctx, 200, reply.result().body());
            } else {
                unavailable(ctx, reply.cause(), "the node is starting");
            }
        });
    }

    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String message;
        if (status == 413) {
            message = "the body is larger than http.max_body_bytes (" + config().getLong("max_body_bytes")
                    + " bytes); send it in parts";
        } else if (status >= 500) {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
            message = "the request failed inside the node; see its log";
        } else {
            message = HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase(Locale.ROOT);
        }
        if (!ctx.response().ended()) {
            json(ctx, status, error(message));
        }
    }

    private static boolean isBlank(Buffer payload) {
        for (int i = 0; i < payload.length(); i++) {
            if (!Character.isWhitespace(payload.getByte(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Answers a request this node could not serve: 503 when nothing on this node consumes the address or it did
     * not answer in time; the consumer's own status and plain message when it refused (codes 400 to 599).
     */
    private static void unavailable(RoutingContext ctx, Throwable cause, String noHandlers) {
        if (cause instanceof ReplyException e && e.failureType() == ReplyFailure.RECIPIENT_FAILURE
                && e.failureCode() >= 400 && e.failureCode() < 600) {
            json(ctx, e.failureCode(), error(e.getMessage()));
            return;
        }
        boolean absent = cause instanceof ReplyException e && e.failureType() == ReplyFailure.NO_HANDLERS;
        json(ctx, 503, error(absent ? noHandlers : "this node did not answer within "
                + Addresses.LOCAL_TIMEOUT_MS / 1000 + " s; see its log"));
    }

    private static JsonObject error(String message) {
        return new JsonObject().put("error", message);
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
}
