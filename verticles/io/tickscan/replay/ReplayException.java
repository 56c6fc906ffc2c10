package io.tickscan.replay;

/** A replay that cannot run: a missing or unreadable file, an invalid rule set, wrong arguments. */
public final class ReplayException extends Exception {
    /** @param message one clear sentence saying what and where */
    public ReplayException(String message) {
        super(message);
    }
}
