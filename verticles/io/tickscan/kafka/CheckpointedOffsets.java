package io.tickscan.kafka;

import io.tickscan.redis.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a Kafka source reads its partitions from so that the scanners' checkpoints in Redis lack no tick: for each
 * Kafka partition, one past the lowest offset any scanner partition's checkpoint holds of it
 * ({@link RedisKeys#offsets}). Reading from there gives every scanner partition the ticks written after its
 * checkpoint; those it has already (other partitions' checkpoints are newer) are skipped by offset.
 */
public final class CheckpointedOffsets {
    private CheckpointedOffsets() {
    }

    /**
     * The offset to read each Kafka partition of {@code topic} from, by partition number, after the checkpoints of
     * the {@code partitions} scanner partitions; a Kafka partition no checkpoint holds is absent.
     */
    public static Future<Map<Integer, Long>> of(Redis redis, String topic, int partitions) {
        Request mget = Request.cmd(Command.MGET);
        for (int p = 0; p < partitions; p++) {
            mget.arg(RedisKeys.offsets(p));
        }
        return redis.send(mget).map(values -> lowest(values, topic));
    }

    private static Map<Integer, Long> lowest(Response values, String topic) {
        Map<Integer, Long> from = new HashMap<>();
        for (int p = 0; p < values.size(); p++) {
            Response value = values.get(p);
            if (value == null) {
                continue;
            }
            JsonObject checkpoint = new JsonObject(value.toBuffer());
            JsonObject offsets = checkpoint.getJsonObject("offsets");
            if (!topic.equals(checkpoint.getString("topic")) || offsets == null) {
                continue;
            }
            for (String partition : offsets.fieldNames()) {
                from.merge(Integer.parseInt(partition), offsets.getLong(partition) + 1, Math::min);
            }
        }
        return from;
    }
}
