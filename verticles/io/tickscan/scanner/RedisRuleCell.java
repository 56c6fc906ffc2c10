package io.tickscan.scanner;

import io.tickscan.redis.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The rule set in Redis under {@code tickscan:rules} (a string of JSON {@code {"version", "text"}}), so that it
 * survives a restart of the whole cluster: {@code SET NX GET} to store a first set, and a script that compares
 * and sets to replace it.
 */
final class RedisRuleCell implements RuleCell {
    static final String COMPARE_AND_SET = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";
    private final Redis redis;

    RedisRuleCell(Redis redis) {
        this.redis = redis;
    }

    @Override
    public Future<String> get() {
        return redis.send(Request.cmd(Command.GET).arg(RedisKeys.RULES)).map(RedisRuleCell::text);
    }

    @Override
    public Future<String> putIfAbsent(String value) {
        return redis.send(Request.cmd(Command.SET).arg(RedisKeys.RULES).arg(value).arg("NX").arg("GET"))
                .map(RedisRuleCell::text);
    }

    @Override
    public Future<Boolean> replace(String old, String next) {
        return redis.send(Request.cmd(Command.EVAL).arg(COMPARE_AND_SET).arg(1).arg(RedisKeys.RULES).arg(old)
                .arg(next)).map(reply -> reply.toInteger() == 1);
    }

    private static String text(Response reply) {
        return reply == null ? null : reply.toString();
    }
}
