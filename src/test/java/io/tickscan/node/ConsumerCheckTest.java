package io.tickscan.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The self-check against a cluster whose registrations the test sets. */
@ExtendWith(VertxExtension.class)
@DisplayName("the ownership self-check")
class ConsumerCheckTest {
    private static final String[] OWNERS = {"a/scanner-0", "b/scanner-0"};
    private static final Map<String, String> MEMBER_OF = Map.of("a/scanner-0", "member-a", "b/scanner-0", "member-b");
    private static final Set<String> MEMBERS = Set.of("member-a", "member-b");
    private static final Set<String> LOCAL = Set.of("a/scanner-0");

    /** The registrations of each address, as the cluster tells them; none by default. */
    private final Map<String, List<RegistrationInfo>> registrations = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<JsonObject> repairs = new CopyOnWriteArrayList<>();

    /** A cluster manager that answers only the self-check's reads of registrations. */
    @SuppressWarnings("unchecked")
    private ClusterManager cluster() {
        return (ClusterManager) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ClusterManager.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getRegistrations")) {
                        ((Completable<List<RegistrationInfo>>) args[1])
                                .succeed(registrations.getOrDefault((String) args[0], List.of()));
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private double counted(String kind) {
        Counter counter = meters.find("ownership_repairs").tag("kind", kind).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @DisplayName("a lasting fault is counted once when confirmed, again only after it cleared and came back; the "
            + "repair is asked at each check, with the time the check read the registrations")
    void aLastingFaultIsCountedOnce(Vertx vertx, VertxTestContext ctx) {
        vertx.eventBus().<JsonObject>localConsumer(Addresses.OWNERSHIP_REPAIR, m -> repairs.add(m.body()));
        registrations.put(Addresses.partition(1), List.of(new RegistrationInfo("member-b", 1, false)));
        ConsumerCheck check = new ConsumerCheck(vertx, cluster(), meters);
        long before = System.nanoTime();
        // partition 0, owned here, has no consumer: found, confirmed, still there, still there
        check(vertx, check).compose(v -> check(vertx, check)).compose(v -> {
            ctx.verify(() -> assertThat(counted("unowned")).as("confirmed at the second check").isEqualTo(1));
            return check(vertx, check).compose(w -> check(vertx, check));
        }).compose(v -> {
            ctx.verify(() -> {
                assertThat(counted("unowned")).as("lasting: not counted again").isEqualTo(1);
                assertThat(repairs).as("the repair is asked at each check that confirms it").hasSize(3)
                        .allSatisfy(r -> {
                            assertThat(r.getJsonArray("partitions").getList()).containsExactly(0);
                            assertThat(r.getLong("checked_at_ns") - before).isPositive();
                        });
            });
            // the consumer comes back for a check, then is lost again
            registrations.put(Addresses.partition(0), List.of(new RegistrationInfo("member-a", 2, false)));
            return check(vertx, check);
        }).compose(v -> {
            registrations.remove(Addresses.partition(0));
            return check(vertx, check).compose(w -> check(vertx, check));
        }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertThat(counted("unowned")).as("cleared and came back: counted again").isEqualTo(2);
            ctx.completeNow();
        })));
    }

    /** One check; completes once the repair it may publish has been delivered. */
    private Future<Void> check(Vertx vertx, ConsumerCheck check) {
        return check.check(OWNERS, MEMBER_OF, MEMBERS, LOCAL).compose(v -> vertx.timer(20).mapEmpty());
    }
}
