package io.tickscan.engine;

/** What became of a valid tick handed to the engine. */
public enum TickOutcome {
    /** Applied to the symbol's state. */
    APPLIED,
    /** Older than the symbol's current minute or the latest scan's minute: counted and dropped. */
    LATE,
    /** In replay, too far after the newest tick so far: rejected, see {@link TickRejectReason#JUMP}. */
    JUMP
}
