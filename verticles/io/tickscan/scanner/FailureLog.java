package io.tickscan.scanner;

import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Logs each distinct failure once, with what was being done and its stack trace; repeats are only counted by the
 * caller's meters. Distinct means the same place and the same exception type and message; after
 * {@value #DISTINCT} distinct failures nothing more is logged.
 */
public final class FailureLog {
    static final int DISTINCT = 256;

    private final Logger log;
    private final Set<String> seen = new HashSet<>();

    /** @param log where the first occurrence of each failure goes */
    public FailureLog(Logger log) {
        this.log = log;
    }

    /** Logs {@code failure} if this is the first time it happened {@code where}. */
    public void failed(String where, Throwable failure) {
        String key = where + '|' + failure.getClass().getName() + '|' + failure.getMessage();
        if (seen.size() < DISTINCT && seen.add(key)) {
            log.error("{} failed (logged once; see the failure counters for repeats)", where, failure);
        }
    }
}
