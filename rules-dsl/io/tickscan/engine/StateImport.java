package io.tickscan.engine;

/**
 * What {@link ScanEngine#importState} did with a checkpoint.
 *
 * @param restored            symbols added with their state
 * @param known               symbols of the checkpoint the engine knew already, which kept their own state
 * @param sessionStatsDropped true when the checkpoint's session calendar differs, so its session stats were dropped
 * @param otherHistory        true when the checkpoint was written with another history length
 * @param clockTaken          true when the engine, holding no symbol before, took the checkpoint's last scan as its
 *                            own ({@link ScanEngine#lastScan()})
 */
public record StateImport(int restored, int known, boolean sessionStatsDropped, boolean otherHistory,
                          boolean clockTaken) {
}
