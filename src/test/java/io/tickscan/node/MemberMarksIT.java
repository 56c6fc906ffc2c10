package io.tickscan.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickscan.redis.RedisKeys;
import io.tickscan.testdata.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nodes' marks of life in a real {@code redis-server}, as a fenced node reads them. */
class MemberMarksIT {
    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("each node sees the others that marked themselves alive, not itself, and none once their marks lapsed")
    void nodesSeeEachOthersMarks() throws Exception {
        try (RedisServer server = RedisServer.start(dir)) {
            Redis redis = Redis.createClient(vertx, server.url());
            MemberMarks a = new MemberMarks(redis, "a");
            MemberMarks b = new MemberMarks(redis, "b");
            MemberMarks c = new MemberMarks(redis, "c");
            assertThat(exchange(a, true)).as("the first member alone").isEmpty();
            assertThat(exchange(b, true)).containsExactly("a");
            assertThat(exchange(c, false)).as("a fenced node reads without marking").containsExactly("a", "b");
            assertThat(exchange(a, true)).as("c, fenced, is not alive").containsExactly("b");

            Thread.sleep(MemberMarks.TTL_MS + 500);
            assertThat(exchange(c, false)).as("a and b stopped marking: dead").isEmpty();
            assertThat(redis.send(Request.cmd(Command.ZCARD).arg(RedisKeys.MEMBERS)).await(5, TimeUnit.SECONDS)
                    .toLong()).as("the lapsed marks are gone").isZero();
        }
    }

    private static Set<String> exchange(MemberMarks marks, boolean member) throws Exception {
        return marks.exchange(member).await(5, TimeUnit.SECONDS);
    }
}
