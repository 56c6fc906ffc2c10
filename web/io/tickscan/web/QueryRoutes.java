package io.tickscan.web;

import static io.tickscan.web.Replies.error;
import static io.tickscan.web.Replies.json;

import io.tickscan.web.query.QueryException;
import io.tickscan.web.query.ScannerQueries;
import io.tickscan.web.ws.AlertSockets;
import io.tickscan.web.ws.HistoryQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read endpoints that ask beyond the web side: the live screener ({@code GET /api/rules/{id}/matches}), the
 * preview of a draft rule ({@code POST /api/rules/preview}) and a symbol ({@code GET /api/symbols/{symbol}}),
 * gathered from every scanner instance of every member by {@link ScannerQueries}; and the recent alerts of this
 * node's history ({@code GET /api/alerts}, from {@link AlertSockets}: the Redis stream when there is one).
 */
final class QueryRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(QueryRoutes.class);
    static final int PREVIEWS_AT_ONCE = 4;
    private final ScannerQueries queries;
    private final AlertSockets sockets;
    private int previews;

    QueryRoutes(ScannerQueries queries, AlertSockets sockets) {
        this.queries = queries;
        this.sockets = sockets;
    }

    /** Attaches the handlers to the document's operations. */
    void mount(RouterBuilder api) {
        api.getRoute("ruleMatches").addHandler(ctx -> {
            ValidatedRequest request = ApiContract.validated(ctx);
            answer(ctx, queries.matches(request.getPathParameters().get("id").getString(),
                    query(request, "sort"), query(request, "order"), limit(request, ScannerQueries.DEFAULT_LIMIT)));
        });
        api.getRoute("previewRule").addHandler(this::preview);
        api.getRoute("getSymbol").addHandler(ctx -> answer(ctx,
                queries.symbol(ApiContract.validated(ctx).getPathParameters().get("symbol").getString())));
        api.getRoute("listAlerts").addHandler(ctx -> {
            ValidatedRequest request = ApiContract.validated(ctx);
            sockets.history(new HistoryQuery(query(request, "rule"), query(request, "symbol"),
                    number(request, "since"), number(request, "until"), limit(request, HistoryQuery.DEFAULT_LIMIT)))
                    .onSuccess(alerts -> json(ctx, 200, new JsonObject().put("count", alerts.size())
                            .put("alerts", alerts)));
        });
    }

    /**
     * A preview compiles the draft and computes its metrics on every scanner, between their scans: at most
     * {@value #PREVIEWS_AT_ONCE} run at once per web instance, the others get 429 and try again.
     */
    private void preview(RoutingContext ctx) {
        if (previews >= PREVIEWS_AT_ONCE) {
            ctx.response().putHeader("retry-after", "1");
            json(ctx, 429, error(PREVIEWS_AT_ONCE + " previews are running on this node; try again in a second"));
            return;
        }
        previews++;
        answer(ctx, queries.preview(ApiContract.validated(ctx).getBody().getJsonObject())
                .onComplete(done -> previews--));
    }

    private static void answer(RoutingContext ctx, Future<JsonObject> body) {
        body.onComplete(done -> {
            if (done.succeeded()) {
                json(ctx, 200, done.result());
            } else if (done.cause() instanceof QueryException refused) {
                json(ctx, refused.status(), refused.body());
            } else {
                LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), done.cause());
                json(ctx, 500, error("the query failed inside the node; see its log"));
            }
        });
    }

    private static String query(ValidatedRequest request, String name) {
        RequestParameter value = request.getQuery().get(name);
        return value == null || value.isNull() ? null : value.getString();
    }

    private static Long number(ValidatedRequest request, String name) {
        RequestParameter value = request.getQuery().get(name);
        return value == null || value.isNull() ? null : value.getLong();
    }

    private static int limit(ValidatedRequest request, int otherwise) {
        RequestParameter value = request.getQuery().get("limit");
        return value == null || value.isNull() ? otherwise : value.getInteger();
    }
}
