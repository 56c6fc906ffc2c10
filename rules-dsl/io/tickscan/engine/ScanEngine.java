package io.tickscan.engine;

import io.tickscan.rules.MetricKind;
import io.tickscan.rules.MetricRef;
import io.tickscan.rules.RuleDefinition;
import io.tickscan.rules.RuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The deterministic core of tickscan: valid ticks in, per-symbol state, every enabled rule evaluated for every
 * symbol at each scan, firings out. Live scanners and {@code replay} run the same engine; the caller supplies
 * the scan times (the wall clock, or event time through {@link EventTimeDriver}).
 *
 * <p>Single-threaded: one engine belongs to one thread or verticle. Applying a tick and running a scan allocate
 * nothing once the symbol is known, apart from what a listener does with a firing.
 */
public final class ScanEngine {
    private final EngineSettings settings;
    private final SessionCalendar sessions;
    private final SymbolStates states;
    private Indicators indicators;
    private MetricColumns columns;
    private CompiledRule[] rules;
    private Node.Cross[] crosses;
    private List<MetricRef> metrics;
    private boolean columnsStale;
    private int capacity;
    private long[] present = new long[0];
    private long lastScan = Screen.NO_SCAN;
    private int scannedSymbols;
    private long scanMinute = Long.MIN_VALUE;
    private long lastSession = Long.MIN_VALUE;
    private boolean ticksSinceScan = true;
    private boolean lastScanUnchanged;
    private boolean lastScanFailed;
    private long applied;
    private long late;
    private long scans;
    private long quietScans;

    /**
     * @param rules    a validated rule set (its disabled rules are not evaluated)
     * @param settings history and session settings; the rules must have been validated against the same history
     */
    public ScanEngine(RuleSet rules, EngineSettings settings) {
        this(rules, settings, 1024);
    }

    /** As {@link #ScanEngine(RuleSet, EngineSettings)}, sized up front for {@code expectedSymbols}. */
    public ScanEngine(RuleSet rules, EngineSettings settings, int expectedSymbols) {
        this.settings = settings;
        RuleCompiler compiler = new RuleCompiler(rules.rules());
        this.sessions = new SessionCalendar(settings.sessionZone(), settings.sessionStart());
        this.indicators = new Indicators(compiler.windows(MetricKind.EMA), compiler.windows(MetricKind.RSI),
                Math.max(expectedSymbols, 16));
        this.states = new SymbolStates(settings.historyMinutes(), sessions, indicators, expectedSymbols);
        this.rules = compiler.compile();
        this.crosses = compiler.crosses();
        this.columns = compiler.layout().build(states, indicators, sessions);
        this.metrics = List.copyOf(compiler.layout().metrics());
        grow();
    }

    /**
     * Applies a tick whose fields are valid ({@link TickRejectReason#check}). A tick whose minute is before the
     * symbol's current bar or before the latest scan's minute is late: counted and dropped.
     */
    public TickOutcome apply(String symbol, long ts, double price, double size) {
        return apply(symbol, ts, price, size, 0);
    }

    /**
     * As {@link #apply(String, long, double, double)}, keeping {@code stamp} (such as the tick's arrival time) as
     * the symbol's newest stamp, for {@link #stamp(int)}.
     */
    public TickOutcome apply(String symbol, long ts, double price, double size, long stamp) {
        long minute = Math.floorDiv(ts, SymbolStates.MINUTE_MS);
        int i = states.indexOf(symbol);
        if (minute < scanMinute || (i >= 0 && minute < states.liveMinute(i))) {
            late++;
            return TickOutcome.LATE;
        }
        if (i < 0) {
            i = add(symbol, minute);
        } else if ((present[i >>> 6] & (1L << i)) == 0) {
            reopen(i, symbol, minute); // given up before, taken again without its state: starts afresh
        }
        states.apply(i, ts, minute, price, size, stamp);
        ticksSinceScan = true;
        applied++;
        return TickOutcome.APPLIED;
    }

    /**
     * Runs the scan at {@code t}: completes every symbol's bars up to {@code t}'s minute, computes each metric
     * once per symbol and evaluates every rule, reporting firings that pass universe and cooldown. A rule whose
     * evaluation throws (its listener, say) is reported to {@link FiringListener#failed} and the next rule runs.
     *
     * @param t a whole second, later than the previous scan
     */
    public void scan(long t, FiringListener listener) {
        if (t <= lastScan || t % 1000 != 0) {
            throw new IllegalArgumentException("scan at " + t + " after " + lastScan + ": scans run at whole, "
                    + "increasing seconds");
        }
        long minute = Math.floorDiv(t, SymbolStates.MINUTE_MS);
        int n = states.count();
        boolean barsChanged = minute != scanMinute;
        if (barsChanged) {
            for (int i = 0; i < n; i++) {
                if (states.liveMinute(i) < minute) {
                    states.rollTo(i, minute);
                }
            }
            scanMinute = minute;
        }
        long session = sessions.sessionStart(t - 1);
        // With no tick, no new minute and no new session since the scan one second ago, every metric is as it
        // was then: the columns stay, and only rules with a cross (now false or unknown) are evaluated again.
        boolean unchanged = !ticksSinceScan && !barsChanged && !columnsStale && session == lastSession
                && lastScan == t - 1000;
        if (!unchanged) {
            columns.update(t, barsChanged || columnsStale);
            columnsStale = false;
        }
        columns.newEvaluation();
        boolean failed = false;
        for (CompiledRule rule : rules) {
            try {
                rule.scan(columns, present, n, t, unchanged, listener);
            } catch (RuntimeException e) {
                failed = true;
                listener.failed(rule, t, e);
            }
        }
        lastScanUnchanged = unchanged;
        lastScanFailed = failed;
        ticksSinceScan = false;
        scannedSymbols = n;
        lastSession = session;
        lastScan = t;
        scans++;
    }

    /**
     * The earliest second after the latest scan whose scan can differ from that one, if no tick is applied before
     * it: every scan in between sees the metrics the latest scan saw and fires nothing, so it may be
     * {@linkplain #skipQuietScans passed over}. That second is the next one after a tick, a rule swap or a scan
     * that recomputed the metrics while a rule has a cross (whose previous values then change once more); else
     * the first of: the next minute (bars complete), the next session (VWAP and the day's stats start again), and
     * the end of the first cooldown of a rule that holds for a symbol. {@link Screen#NO_SCAN} before the first
     * scan.
     */
    public long nextScanNeeded() {
        if (lastScan == Screen.NO_SCAN) {
            return Screen.NO_SCAN;
        }
        long next = lastScan + 1000;
        if (ticksSinceScan || columnsStale || lastScanFailed || (!lastScanUnchanged && crosses.length > 0)) {
            return next; // lastScanFailed: a rule that threw left its truth half made
        }
        long needed = (scanMinute + 1) * SymbolStates.MINUTE_MS;
        // the scan at t reads the session holding t - 1: the first such second in the next session
        long nextSession = sessions.nextSessionStart(lastScan - 1);
        needed = Math.min(needed, Math.floorDiv(nextSession, 1000) * 1000 + 1000);
        for (CompiledRule rule : rules) {
            needed = Math.min(needed, rule.nextFiring(columns, present, scannedSymbols, lastScan));
        }
        return Math.max(needed, next);
    }

    /**
     * Passes over the quiet seconds after the latest scan up to {@code upTo}, all before {@link #nextScanNeeded()}:
     * as if each were scanned, seeing what the latest scan saw and firing nothing. {@code replay} scans only the
     * seconds at which something can change this way; the alerts are those of a scan at every second.
     *
     * @throws IllegalArgumentException when {@code upTo} is not a whole second after the latest scan and before
     *                                  the next one needed
     */
    public void skipQuietScans(long upTo) {
        long needed = nextScanNeeded();
        if (upTo % 1000 != 0 || upTo <= lastScan || needed == Screen.NO_SCAN || upTo >= needed) {
            throw new IllegalArgumentException("cannot pass over the scans after " + lastScan + " up to " + upTo
                    + ": the next scan needed is at " + needed);
        }
        for (Node.Cross cross : crosses) {
            if (cross.previousScan == lastScan) {
                cross.previousScan = upTo; // the sides at upTo are those of the latest scan
            }
        }
        quietScans += (upTo - lastScan) / 1000;
        lastScan = upTo;
    }

    /**
     * Swaps in a new rule set, to take effect at the next scan. State stays: bars, ticks and session stats; EMA
     * and RSI windows both sets use keep their state, new ones are warmed up from the bars in the ring; a rule
     * that keeps its id keeps its cooldowns. A new cross is unknown at its first scan, as at start-up.
     *
     * @param rules a rule set validated against this engine's history
     */
    public void replaceRules(RuleSet rules) {
        RuleCompiler compiler = new RuleCompiler(rules.rules());
        Indicators next = indicators.replacing(compiler.windows(MetricKind.EMA), compiler.windows(MetricKind.RSI),
                states, Long.MAX_VALUE);
        CompiledRule[] previous = this.rules;
        this.indicators = next;
        states.listener(next);
        this.rules = compiler.compile();
        this.crosses = compiler.crosses();
        this.columns = compiler.layout().build(states, next, sessions);
        this.metrics = List.copyOf(compiler.layout().metrics());
        grow();
        for (CompiledRule rule : this.rules) {
            rule.symbolsKnown(states);
            for (CompiledRule old : previous) {
                if (old.id().equals(rule.id())) {
                    rule.inheritCooldowns(old);
                }
            }
        }
        columnsStale = true;
    }

    /**
     * The state of the symbols {@code symbols} accepts (by index, as {@link #symbol(int)} names them), in the
     * binary form of a checkpoint drawn in {@link StateCheckpoint}: their bars, live bar, session stats, newest
     * tick and stamp; every EMA and RSI window's state; the order of every cross's sides at its previous scan; each rule's
     * cooldowns. Reading it back with {@link #importState} into an engine with the same settings and rules, then
     * applying the same ticks and running the same scans, fires exactly as this engine does.
     */
    public byte[] exportState(IntPredicate symbols) {
        int[] chosen = IntStream.range(0, states.count()).filter(i -> held(i) && symbols.test(i)).toArray();
        return StateCheckpoint.write(settings, lastScan, scanMinute, states, indicators, crosses, rules, chosen);
    }

    /**
     * Reads back a checkpoint of {@link #exportState}: its symbols this engine has not seen are added with their
     * state (a symbol it knows keeps its own, newer state). Rules are matched by id, so a rule keeps its cooldowns;
     * an EMA or RSI window the checkpoint lacks is warmed up from the restored bars; a cross's previous values
     * are taken when they are of the scan its own are of (else it is unknown at the next scan). When this engine
     * has not scanned yet it takes the checkpoint's scan minute, so ticks before it are late as they were for the
     * exporting engine. Symbols restored are brought to the current scan minute
     * as a scan would; every metric is
     * computed afresh at the next scan. Session stats made with another session calendar are dropped; bars beyond
     * this engine's history are dropped.
     *
     * @throws IllegalArgumentException when {@code checkpoint} is not one this engine reads (nothing changed then)
     */
    public StateImport importState(byte[] checkpoint) {
        return importState(checkpoint, false);
    }

    /**
     * {@link #importState(byte[])}, and when {@code mayTakeClock} (a state handed over by its live owner, not one
     * read back from a checkpoint, whose seconds since were scanned by an owner now gone) and this engine holds
     * no symbol, it takes the state's last scan as its own ({@link StateImport#clockTaken()}).
     *
     * @throws IllegalArgumentException when {@code checkpoint} is not one this engine reads (nothing changed then)
     */
    public StateImport importState(byte[] checkpoint, boolean mayTakeClock) {
        return importState(StateCheckpoint.read(checkpoint), mayTakeClock);
    }

    /**
     * Takes a checkpoint up where its engine left it, this engine being new (it has seen no symbol and never
     * scanned): its symbols as {@link #importState} restores them, and its last scan and scan minute as this
     * engine's own, so that its next scan is the second after the checkpoint's and the ticks since are not late.
     * How a scanner catches up a partition restored from a checkpoint older than its own clock.
     *
     * @throws IllegalStateException    when this engine has seen a symbol or scanned
     * @throws IllegalArgumentException when {@code checkpoint} is not one this engine reads (nothing changed then)
     */
    public StateImport resume(byte[] checkpoint) {
        if (states.count() > 0 || lastScan != Screen.NO_SCAN) {
            throw new IllegalStateException("only a new engine resumes a checkpoint");
        }
        StateCheckpoint.Decoded d = StateCheckpoint.read(checkpoint);
        lastScan = d.lastScan;
        scanMinute = d.scanMinute;
        return importState(d, false);
    }

    /** The last scan of a checkpoint of {@link #exportState}, {@link Screen#NO_SCAN} when it had none. */
    public static long lastScanOf(byte[] checkpoint) {
        return StateCheckpoint.lastScanOf(checkpoint);
    }

    private StateImport importState(StateCheckpoint.Decoded d, boolean mayTakeClock) {
        boolean sameSessions = d.zone.equals(settings.sessionZone().getId())
                && d.sessionStart.equals(settings.sessionStart());
        boolean mayTake = mayTakeClock && holdsNoSymbol();
        int[] index = new int[d.names.length];
        int restored = 0;
        for (int s = 0; s < index.length; s++) {
            int known = states.indexOf(d.names[s]);
            if (known >= 0 && held(known)) {
                index[s] = -1;
                continue;
            }
            long minute = d.clock[s * SymbolStates.CLOCK_FIELDS + SymbolStates.LIVE_MINUTE];
            int i = known >= 0 ? reopen(known, d.names[s], minute) : add(d.names[s], minute);
            StateCheckpoint.restoreSymbol(d, s, states, i, sameSessions);
            index[s] = i;
            restored++;
        }
        StateCheckpoint.restoreIndicators(d, index, indicators, states);
        if (mayTake) {
            // holding nothing, its crosses' previous values are of no symbol: the state's, of its scan, are taken
            for (Node.Cross cross : crosses) {
                cross.previousScan = Long.MIN_VALUE;
            }
        }
        StateCheckpoint.restoreCrosses(d, index, crosses);
        StateCheckpoint.restoreCooldowns(d, index, rules);
        if (lastScan == Screen.NO_SCAN && d.scanMinute > scanMinute) {
            scanMinute = d.scanMinute;
        }
        boolean clockTaken = mayTake && restored > 0 && lastScan != Screen.NO_SCAN && d.lastScan != Screen.NO_SCAN
                && d.lastScan != lastScan;
        if (clockTaken) {
            lastScan = d.lastScan;
            scanMinute = d.scanMinute;
        }
        if (scanMinute != Long.MIN_VALUE) {
            for (int i = 0, n = states.count(); i < n; i++) {
                if (states.liveMinute(i) < scanMinute) {
                    states.rollTo(i, scanMinute);
                }
            }
        }
        columnsStale = true;
        columns.forgetPrepared();
        ticksSinceScan = true;
        return new StateImport(restored, index.length - restored, !sameSessions && restored > 0,
                d.historyMinutes != settings.historyMinutes(), clockTaken);
    }

    /** The stamp of the newest tick applied to a symbol reported to a listener. */
    public long stamp(int symbol) {
        return states.stamp(symbol);
    }

    /**
     * The full alert of a firing reported to a {@link FiringListener}, made by {@code factory} so that the caller's
     * alert type is the one object created.
     */
    public <A> A alert(CompiledRule rule, int symbol, long t, AlertFactory<A> factory) {
        double[] values = rule.values(columns, symbol);
        String name = states.name(symbol);
        return factory.create(rule.id(), rule.name(), name, t, states.last(symbol), rule.metricNames(), values);
    }

    /**
     * The value of a metric the rules read, for {@code symbol}, as of the latest scan: NaN when undefined or when
     * the symbol is unknown.
     *
     * @throws IllegalArgumentException when no rule reads {@code metric}
     */
    public double value(String symbol, MetricRef metric) {
        int slot = metrics.indexOf(metric);
        if (slot < 0) {
            throw new IllegalArgumentException("no rule reads " + metric);
        }
        int i = states.indexOf(symbol);
        return i < 0 ? Double.NaN : columns.column(slot)[i];
    }

    /** The time of the latest scan, or {@link Screen#NO_SCAN}. */
    public long lastScan() {
        return lastScan;
    }

    /**
     * The live screener of an enabled rule: the symbols whose condition held at the latest scan and that pass the
     * rule's universe, the cooldown not applied; read from what that scan left, nothing is evaluated again. A rule
     * set swapped in after the latest scan has not been evaluated: its screen is empty and says so.
     *
     * @return null when no enabled rule has this id
     */
    public Screen matches(String ruleId) {
        for (CompiledRule rule : rules) {
            if (rule.id().equals(ruleId)) {
                return scanned() ? new Screen(lastScan, true, rule.metricNames(),
                        rule.matches(columns, present, scannedSymbols, states))
                        : Screen.notEvaluated(lastScan, rule.metricNames());
            }
        }
        return null;
    }

    /**
     * What a draft rule, in the set or not, enabled or not, would match at the latest scan: its condition and
     * universe, the cooldown not applied, evaluated against the state as that scan saw it, without changing the
     * engine's rules, cooldowns or indicators (an EMA or RSI window the rules lack is warmed up from the bars
     * before that scan's minute, on a copy). Its metrics are those of the latest scan where the rules read them;
     * the others are computed with {@code last} and the complete bars of that scan, except the session stats
     * ({@code vwap}, {@code day_*}, {@code change_pct_day}), read as they are now, with any tick applied since.
     * A cross has no previous scan to compare with: it is unknown, so it never matches in a preview.
     *
     * @param draft a rule validated against this engine's history
     */
    public Screen preview(RuleDefinition draft) {
        RuleCompiler compiler = new RuleCompiler(List.of(new RuleDefinition(draft.id(), draft.name(),
                draft.condition(), draft.metrics(), draft.cooldownSec(), draft.universe(), true)));
        CompiledRule rule = compiler.compile()[0];
        if (!scanned()) {
            return Screen.notEvaluated(lastScan, rule.metricNames());
        }
        Indicators warmed = indicators.replacing(compiler.windows(MetricKind.EMA), compiler.windows(MetricKind.RSI),
                states, scanMinute);
        MetricColumns draftColumns = compiler.layout().build(states, warmed, sessions);
        draftColumns.updateAsOf(lastScan, scannedSymbols, columns);
        rule.ensureCapacity(capacity);
        rule.symbolsKnown(states);
        rule.evaluate(draftColumns, present, scannedSymbols, lastScan);
        return new Screen(lastScan, true, rule.metricNames(),
                rule.matches(draftColumns, present, scannedSymbols, states));
    }

    /**
     * A symbol as this engine holds it: newest tick, session stats, up to {@code maxBars} of its newest complete
     * bars (no more than the history kept) and the live bar, and every metric the enabled rules read, as of the
     * latest scan ({@link #value}).
     *
     * @return null when the engine has not seen the symbol
     */
    public SymbolSnapshot snapshot(String symbol, int maxBars) {
        int i = states.indexOf(symbol);
        if (i < 0 || !held(i)) {
            return null;
        }
        long live = states.liveMinute(i);
        List<SymbolSnapshot.Bar> bars = new ArrayList<>();
        for (long k = Math.max(states.firstMinute(i), live - Math.min(maxBars, settings.historyMinutes())); k < live;
             k++) {
            bars.add(states.bar(i, k));
        }
        double[] values = new double[metrics.size()];
        for (int slot = 0; slot < values.length; slot++) {
            values[slot] = columns.column(slot)[i];
        }
        return new SymbolSnapshot(symbol, states.last(i), states.lastTs(i), states.sessionStats(i), bars,
                states.liveBar(i), scanned() ? lastScan : Screen.NO_SCAN, metrics.stream().map(MetricRef::canonical).toList(), values);
    }

    /** True when the rules in force have been evaluated by a scan (none is swapped in since). */
    private boolean scanned() {
        return lastScan != Screen.NO_SCAN && !columnsStale;
    }

    /** The symbol at an index reported to a listener. */
    public String symbol(int index) {
        return states.name(index);
    }

    /** The compiled enabled rules, in id order. */
    public List<CompiledRule> rules() {
        return Arrays.asList(rules.clone());
    }

    /** Symbols seen. */
    public int symbolCount() {
        return states.count();
    }

    /** Ticks applied. */
    public long appliedTicks() {
        return applied;
    }

    /** Ticks dropped as late. */
    public long lateTicks() {
        return late;
    }

    /** Scans run. */
    public long scans() {
        return scans;
    }

    /** Seconds {@linkplain #skipQuietScans passed over} as quiet. */
    public long quietScans() {
        return quietScans;
    }

    /** The settings the engine runs with. */
    public EngineSettings settings() {
        return settings;
    }

    /**
     * Heap bytes of per-symbol state for this rule set: the bar ring, live bar, session stats, indicators and
     * each rule's per-symbol storage (symbol names and the name index excluded).
     */
    public long bytesPerSymbol() {
        long perRule = 0;
        for (CompiledRule rule : rules) {
            perRule += 8; // last firing; truth bits are 2 bits a symbol
        }
        return states.bytesPerSymbol() + indicators.bytesPerSymbol() + 8L * metrics.size() + perRule;
    }

    /**
     * Gives up the symbols {@code symbols} accepts (by index), such as those of a partition handed to another
     * scanner: no rule looks at them any more, they are not screened, exported or shown, and their indicator
     * windows, crosses' previous values and cooldowns are forgotten. {@link #importState} brings one back with the
     * state a checkpoint holds; a tick brings it back as a symbol never seen. Their names keep their indexes.
     *
     * @return how many symbols were given up
     */
    public int release(IntPredicate symbols) {
        int released = 0;
        for (int i = 0, n = states.count(); i < n; i++) {
            if (held(i) && symbols.test(i)) {
                present[i >>> 6] &= ~(1L << i);
                forget(i);
                released++;
            }
        }
        if (released > 0) {
            columnsStale = true;
            columns.forgetPrepared();
        }
        return released;
    }

    /** True when no symbol is this engine's: none seen yet, or every one {@linkplain #release released} since. */
    public boolean holdsNoSymbol() {
        for (int i = 0, n = states.count(); i < n; i++) {
            if (held(i)) {
                return false;
            }
        }
        return true;
    }

    /** True when symbol {@code i} is this engine's: seen and not {@linkplain #release released} since. */
    private boolean held(int i) {
        return (present[i >>> 6] & (1L << i)) != 0;
    }

    /** Takes a released symbol back as new, first seen in {@code minute}; returns its index. */
    private int reopen(int i, String symbol, long minute) {
        states.reopen(i, minute);
        forget(i);
        present[i >>> 6] |= 1L << i;
        for (CompiledRule rule : rules) {
            rule.symbolAdded(i, symbol);
        }
        return i;
    }

    /** Clears what the rules keep of symbol {@code i}: indicator windows, crosses' previous values, cooldowns. */
    private void forget(int i) {
        indicators.reset(i);
        for (Node.Cross cross : crosses) {
            cross.forget(i);
        }
        for (CompiledRule rule : rules) {
            rule.symbolReleased(i);
        }
    }

    /** Adds a symbol first seen in {@code minute} to the state, the rules' universes and the present bits. */
    private int add(String symbol, long minute) {
        int i = states.add(symbol, minute);
        if (states.capacity() > capacity) {
            grow();
        }
        present[i >>> 6] |= 1L << i;
        for (CompiledRule rule : rules) {
            rule.symbolAdded(i, symbol);
        }
        return i;
    }

    private void grow() {
        capacity = states.capacity();
        present = Arrays.copyOf(present, Node.words(capacity));
        indicators.ensureCapacity(capacity);
        columns.ensureCapacity(capacity);
        for (CompiledRule rule : rules) {
            rule.ensureCapacity(capacity);
        }
    }
}
