package io.tickscan.web;

import static io.tickscan.web.Replies.error;
import static io.tickscan.web.Replies.json;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.micrometer.core.instrument.Gauge;
import io.tickscan.codec.Addresses;
import io.tickscan.web.query.ScannerQueries;
import io.tickscan.web.ws.AlertSockets;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP side: the REST API of {@code /openapi.yaml} (built from that document, which also validates its
 * requests: {@link ApiContract}), {@code /metrics} (Prometheus), {@code /health/live} and {@code /health/ready},
 * and the UI from the jar's {@code webroot}. Everything it asks goes to this node's own consumers
 * ({@link Addresses#local()}), so another member, dead or alive, never answers or delays it; it never touches the
 * scanner's or the engine's classes.
 *
 * <p>Bodies are read raw ({@link RawBody}), so that curl's defaults work at any size. Errors are JSON
 * {@code {"error": "..."}} in plain words: 400 for a request the document refuses, 401 without the node's token
 * on a change ({@link TokenGuard}), 405 with {@code Allow} for a wrong method, 413 beyond
 * {@code http.max_body_bytes}, 415 for a content type that cannot be read, 503 while something this node needs is
 * missing, 504 when the cluster did not confirm a rule change in time.
 *
 * <p>Config: the {@code http.*} settings.
 */
public final class WebVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(WebVerticle.class);
    private final PrometheusMeterRegistry registry;
    private HttpServer server;
    private ScannerQueries queries;
    private AlertSockets alertSockets;

    /** @param registry the registry {@code /metrics} shows */
    public WebVerticle(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Future<?> start() {
        TokenGuard token = new TokenGuard(config().getString("token"));
        OriginGuard origins;
        try {
            origins = new OriginGuard(config().getJsonArray("allowed_origins").stream().map(String::valueOf)
                    .toList());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        queries = new ScannerQueries(vertx, config().getLong("query_deadline_ms"));
        alertSockets = new AlertSockets(vertx, config(), token, origins,
                new SharedScreens(this::screen, System::currentTimeMillis));
        Gauge.builder("ws_clients", alertSockets, AlertSockets::clients)
                .description("Websocket clients of /ws/alerts on this node").register(registry);
        return Future.all(queries.start(), alertSockets.start(), ApiContract.load(vertx)).compose(started -> {
            ApiContract api = started.resultAt(2);
            // before the body is read and validated: a change needs the token and an allowed origin
            api.builder().rootHandler(ctx -> guard(ctx, api, token, origins));
            api.builder().rootHandler(new RawBody(config().getLong("max_body_bytes")));
            api.builder().getRoutes().forEach(route -> route.setDoSecurity(false)); // guarded above
            new RulesRoutes(vertx).mount(api.builder());
            new NodeRoutes(vertx).mount(api.builder());
            new QueryRoutes(queries, alertSockets).mount(api.builder());
            return serve(api.builder().createRouter());
        });
    }

    /**
     * Lets through a request unless it is an operation the document marks as a change ({@code security}) sent
     * without the node's token (401) or from a browser page of another origin (403).
     */
    private static void guard(RoutingContext ctx, ApiContract api, TokenGuard token, OriginGuard origins) {
        if (!api.changes(ctx.request().path(), ctx.request().method())) {
            ctx.next();
        } else if (!token.admits(ctx.request())) {
            json(ctx, 401, error("this node needs its token (http.token): send Authorization: Bearer <token>"));
        } else if (!origins.admits(ctx.request().getHeader("origin"), authority(ctx))) {
            json(ctx, 403, error("changes from a page of " + Echo.cut(ctx.request().getHeader("origin"))
                    + " are refused: it is not this node's origin nor in http.allowed_origins"));
        } else {
            ctx.next();
        }
    }

    /** The host and port the request was sent to: HTTP/1.1's {@code Host}, HTTP/2's {@code :authority}. */
    private static String authority(RoutingContext ctx) {
        HostAndPort authority = ctx.request().authority();
        return authority == null ? null : authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
    }

    @Override
    public Future<?> stop() {
        return Future.join(alertSockets.close(), queries.stop());
    }

    /** The screener body for a websocket {@code screen} subscription: {@code {"rule","sort","order","limit"}}. */
    private Future<JsonObject> screen(JsonObject subscription) {
        return queries.matches(subscription.getString("rule"), subscription.getString("sort"),
                subscription.getString("order"), subscription.getInteger("limit", ScannerQueries.DEFAULT_LIMIT));
    }

    private Future<HttpServer> serve(Router router) {
        methodsOf(router);
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
        // the UI is small and changes with the jar: browsers revalidate it (ETag) instead of keeping old modules
        router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html").setMaxAgeSeconds(0));
        router.route().last().handler(ctx -> json(ctx, 404, error("no such resource: " + ctx.request().method()
                + " " + Echo.cut(ctx.request().path()))));
        router.route().failureHandler(this::failed);
        return vertx.createHttpServer(alertSockets.configure(new HttpServerOptions())).requestHandler(router)
                .webSocketHandshakeHandler(alertSockets::handshake).webSocketHandler(alertSockets::connect)
                .listen(config().getInteger("port"), config().getString("host"))
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture(new IllegalStateException("http.host/http.port "
                        + config().getString("host") + ":" + Math.max(0, config().getInteger("port")) + ": "
                        + e.getMessage(), e)));
    }

    /** Answers 405 with {@code Allow} for a method the document does not have on one of its paths. */
    private static void methodsOf(Router router) {
        Map<String, Set<HttpMethod>> byPath = new TreeMap<>();
        for (var route : router.getRoutes()) {
            if (route.getPath() != null && route.methods() != null) {
                byPath.computeIfAbsent(route.getPath(), p -> new TreeSet<>(
                        Comparator.comparing(HttpMethod::name))).addAll(route.methods());
            }
        }
        byPath.forEach((path, methods) -> allow(router, path, methods.toArray(new HttpMethod[0])));
    }

    /** The alert websocket of this instance: its history and clients. */
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
            json(ctx, 405, error(ctx.request().method() + " is not allowed on "
                    + path.replaceAll(":(\\w+)", "{$1}") + "; use " + allowed));
        });
    }

    private void failed(RoutingContext ctx) {
        int status = ctx.failure() instanceof HttpException http ? http.getStatusCode()
                : ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String message;
        ApiContract.Refusal refusal = ApiContract.refusal(ctx, ctx.failure());
        if (refusal != null) {
            status = refusal.status();
            message = refusal.message();
        } else if (status == 413) {
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

}
