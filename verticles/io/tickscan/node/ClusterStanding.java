package io.tickscan.node;

import io.tickscan.scanner.OwnershipLease;
import java.util.Set;

/**
 * Whether this node stands as a member of its cluster, decided from its own looks at the cluster (the members it
 * sees, and when it looked), so that a node that was frozen or cut off stops acting as an owner before it does
 * harm:
 * <ul>
 *   <li><b>member</b>: it owns its share and acts on it.</li>
 *   <li><b>suspect</b>: a look came more than {@link OwnershipLease#VALID_MS} ms after the one before while it had
 *   peers (the process was stopped, {@code SIGSTOP}, or starved): its peers may have removed it and moved its
 *   partitions meanwhile. It does nothing as an owner for {@value #SETTLE_MS} ms, while the cluster says whether it
 *   was removed (Hazelcast tells a member it removed within a heartbeat of its return); then it is a member again,
 *   or fenced.</li>
 *   <li><b>fenced</b>: suspect, it sees fewer members than before the freeze: they removed it (Hazelcast's view of
 *   a removed member shrinks to itself until the split-brain merge), or some died meanwhile, which it cannot tell
 *   apart. It gives up its
 *   partitions without writing or handing them over (their state is stale; their new owners took them from the
 *   checkpoints), and takes its share again once it sees peers in a view that held for {@value #STABLE_MS} ms (the
 *   split-brain merge let it back in) and sees their event-bus registrations ({@link #peersRegistered}: until then
 *   what it publishes cluster-wide reaches only its own subscribers), or, alone, once its peers are known dead (see
 *   below).</li>
 * </ul>
 * A fenced node alone cannot tell from the cluster whether its peers died or removed it and live on in the other
 * half, waiting for the split-brain merge (which took 19 to 36 s on a loaded machine); taking every partition in
 * the second case makes two owners of each. So it asks a witness outside the cluster, the nodes' marks in Redis
 * ({@link MemberMarks}), which the verticle passes in ({@link #witnessed}): while the witness's last answer is
 * fresh (asked at most {@value #WITNESS_FRESH_MS} ms ago) the node stands alone only when no other node is alive
 * there, and waits for the merge otherwise, however long. Without an answer (no Redis configured, or Redis does not
 * answer) it stands alone after {@value #ALONE_MS} ms fenced with no other node seen alive, as it would without a
 * witness at all.
 * <p>
 * A standalone node (no cluster) is always a member. A member that loses most of its peers at once without a
 * freeze of its own stays a member: they may have died (a graceful leave and a crash in a row look the same), and
 * the survivors must go on. So on a network split without a freeze both sides scan until the merge (Hazelcast's
 * split-brain protection, a quorum, would stop the small side but also a lone survivor); alert ids are
 * deterministic, and Redis deduplicates those both sides find.
 */
final class ClusterStanding {
    /** The states; see the class comment. */
    enum State { MEMBER, SUSPECT, FENCED }

    static final long SETTLE_MS = 3_000;
    static final long STABLE_MS = 1_000;
    /** How long a fenced node alone waits without a witness's answer before it assumes its peers dead. */
    static final long ALONE_MS = 15_000;
    /** How long a witness's answer counts after it was asked. */
    static final long WITNESS_FRESH_MS = 3_000;

    private State state = State.MEMBER;
    private long since;
    private long lastLook = Long.MIN_VALUE;
    private Set<String> view;
    private long viewSince;
    /** The members seen before a suspected freeze. */
    private int membersBeforeFreeze;
    private long witnessAsked = Long.MIN_VALUE;
    private Set<String> othersAlive = Set.of();
    /** Whether, since it was fenced, the node has seen a peer's event-bus registration. */
    private boolean peersRegistered;
    /** When the witness last saw another node alive (when it was asked). */
    private long othersLastAlive = Long.MIN_VALUE;

    /**
     * Takes a look at the cluster into account.
     *
     * @param nowMs   monotonic milliseconds
     * @param members the members seen now, or null on a standalone node
     * @return the state after this look
     */
    State look(long nowMs, Set<String> members) {
        long gap = lastLook == Long.MIN_VALUE ? 0 : nowMs - lastLook;
        lastLook = nowMs;
        if (members == null || members.isEmpty()) { // standalone, or the member is stopping: nothing to judge
            return state;
        }
        int seenBefore = view == null ? members.size() : view.size();
        if (!members.equals(view)) {
            view = Set.copyOf(members);
            viewSince = nowMs;
        }
        // a member that loses peers without a freeze of its own stays one (see the class comment)
        if (state == State.MEMBER && gap > OwnershipLease.VALID_MS && seenBefore > 1) {
            membersBeforeFreeze = seenBefore;
            enter(State.SUSPECT, nowMs);
        }
        if (state == State.SUSPECT) {
            if (members.size() < membersBeforeFreeze) {
                enter(State.FENCED, nowMs);
            } else if (nowMs - since >= SETTLE_MS) {
                enter(State.MEMBER, nowMs);
            }
        } else if (state == State.FENCED && nowMs - viewSince >= STABLE_MS
                && (members.size() > 1 ? peersRegistered : othersDead(nowMs))) {
            enter(State.MEMBER, nowMs);
        }
        return state;
    }

    /**
     * Takes the witness's answer into account: the other nodes alive in Redis when it was asked.
     *
     * @param askedMs     monotonic milliseconds when the witness was asked (its answer is no newer)
     * @param othersAlive the nodes other than this one that the witness saw alive
     */
    void witnessed(long askedMs, Set<String> othersAlive) {
        witnessAsked = askedMs;
        this.othersAlive = Set.copyOf(othersAlive);
        if (!othersAlive.isEmpty()) {
            othersLastAlive = askedMs;
        }
    }

    /**
     * Takes what a fenced node with peers sees of their event-bus registrations: true once it sees one of another
     * member (after a split-brain merge, the cluster's registrations reach the node a few seconds after its
     * membership does).
     */
    void peersRegistered(boolean seen) {
        if (state == State.FENCED) {
            peersRegistered = seen;
        }
    }

    /** Whether a fenced node with peers should look at their registrations ({@link #peersRegistered}). */
    boolean awaitsPeersRegistrations() {
        return state == State.FENCED && !peersRegistered && view != null && view.size() > 1;
    }

    /**
     * The other nodes the witness saw alive at its last answer, or null when it has not answered within
     * {@value #WITNESS_FRESH_MS} ms (or there is none).
     */
    Set<String> othersAlive(long nowMs) {
        return witnessAsked != Long.MIN_VALUE && nowMs - witnessAsked <= WITNESS_FRESH_MS ? othersAlive : null;
    }

    /**
     * Whether a fenced node alone may take the peers it lost for dead: the witness says no other node is alive, or,
     * without a fresh answer, it has been fenced {@value #ALONE_MS} ms since it last saw another node alive.
     */
    private boolean othersDead(long nowMs) {
        Set<String> others = othersAlive(nowMs);
        if (others != null) {
            return others.isEmpty();
        }
        return nowMs - Math.max(since, othersLastAlive) >= ALONE_MS;
    }

    private void enter(State next, long nowMs) {
        state = next;
        since = nowMs;
        peersRegistered = false;
    }

    /** The state now. */
    State state() {
        return state;
    }
}
