package io.tickscan.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.node.TestNodes;
import io.tickscan.redis.RedisClients;
import io.tickscan.testdata.RedisServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert pipeline's stop against a real {@code redis-server} (one for the class, emptied before each test):
 * it waits until what it took is in the stream, writes in flight and alerts kept during an outage included, and
 * counts what is still not stored at its deadline.
 */
@DisplayName("the alert pipeline when it stops")
class AlertPipelineStopIT {
    @TempDir
    static Path dir;
    static RedisServer server;
    static Vertx vertx;
    static Redis reader;
    final Set<String> published = ConcurrentHashMap.newKeySet();
    SimpleMeterRegistry registry;
    Redis redis;
    String deployment;
    long ts = 1_700_000_000_000L;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.start(dir);
        vertx = Vertx.vertx();
        Addresses.registerCodecs(vertx.eventBus());
        reader = Redis.createClient(vertx, server.url());
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.stop();
        }
    }

    @BeforeEach
    void deploy() throws Exception {
        send(Request.cmd(Command.FLUSHALL));
        vertx.eventBus().<Alert>consumer(Addresses.ALERTS, m -> published.add(m.body().alertId())).completion()
                .await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void undeployAndRestart() throws Exception {
        if (deployment != null && vertx.deploymentIDs().contains(deployment)) {
            vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
        }
        if (redis != null) {
            redis.close().await(10, TimeUnit.SECONDS);
        }
        server.stop();
        server.startAgain();
    }

    /** Deploys a pipeline whose stop waits at most {@code stopWaitMs}, with a client of its own, as a node does. */
    void startPipeline(long stopWaitMs) throws Exception {
        registry = new SimpleMeterRegistry();
        JsonObject settings = new JsonObject(Files.readString(Path.of("conf/tickscan.json")))
                .getJsonObject("redis").put("url", server.url());
        redis = RedisClients.create(vertx, settings);
        deployment = vertx.deployVerticle(new AlertPipelineVerticle(registry, redis), new DeploymentOptions()
                .setConfig(new JsonObject().put("redis", settings).put("dedupe_memory", 100_000)
                        .put("stop_wait_ms", stopWaitMs))).await(10, TimeUnit.SECONDS);
    }

    /** Hands {@code count} new alerts to the pipeline as the scanners do; returns their ids. */
    List<String> find(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long at = ++ts;
            Alert alert = new Alert("stop:SYM:" + at, "stop", "Stop", "SYM", at, 1.5, List.of("last"),
                    new double[] {1.5});
            ids.add(alert.alertId());
            vertx.eventBus().publish(Addresses.ALERTS_FOUND, alert, Addresses.local());
        }
        return ids;
    }

    Response send(Request request) throws Exception {
        return reader.send(request).await(10, TimeUnit.SECONDS);
    }

    List<String> streamIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (Response entry : send(Request.cmd(Command.XRANGE).arg("tickscan:alerts").arg("-").arg("+"))) {
            ids.add(new JsonObject(entry.get(1).get(1).toString()).getString("alert_id"));
        }
        return ids;
    }

    /** Undeploys the pipeline, then closes its Redis client, as a node's stop does. */
    Future<Void> stopPipeline() {
        return vertx.undeploy(deployment).eventually(() -> redis.close());
    }

    @Test
    @DisplayName("waits for the batch being written and the alerts waiting behind it")
    void waitsForWritesInFlight() throws Exception {
        startPipeline(10_000);
        List<String> ids = find(3000);
        stopPipeline().await(30, TimeUnit.SECONDS);
        assertThat(streamIds()).containsExactlyElementsOf(ids);
        assertThat(published).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    @DisplayName("waits for the alerts kept while Redis was away, and writes them when it is back")
    void waitsForAlertsKeptDuringAnOutage() throws Exception {
        startPipeline(20_000);
        List<String> before = find(2);
        TestNodes.await("the first alerts published", 10, () -> published.containsAll(before));
        server.stop();
        List<String> during = find(3);
        TestNodes.await("the alerts found while Redis is away published from memory", 10,
                () -> published.containsAll(during));
        Future<Void> stopped = stopPipeline();
        server.startAgain();
        stopped.await(30, TimeUnit.SECONDS);
        // the server persists nothing: it comes back empty, and holds what the stop waited for
        assertThat(streamIds()).as("the kept alerts are written before the stop ends")
                .containsExactlyElementsOf(during);
        assertThat(registry.find("redis_catchup_dropped").counter().count()).isZero();
    }

    @Test
    @DisplayName("gives up at its deadline when Redis stays away, and counts what was not stored")
    void countsWhatIsNotStoredAtTheDeadline() throws Exception {
        startPipeline(300);
        server.stop();
        List<String> during = find(4);
        TestNodes.await("the alerts published from memory", 10, () -> published.containsAll(during));
        long start = System.nanoTime();
        stopPipeline().await(30, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        assertThat(registry.find("redis_catchup_dropped").counter().count()).isEqualTo(4);
    }
}
