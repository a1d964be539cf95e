package dev.rtrs.test.support;

/**
 * How much a fuzz run does, from system properties: {@code fuzz.seed} (the run's seed; a fixed default so that CI
 * repeats itself), {@code fuzz.cases} (how many cases in all) and {@code fuzz.strict} (known findings fail the run
 * too).
 *
 * @param seed   the run's seed
 * @param cases  cases in all, shared by the families by weight
 * @param strict whether findings listed as known fail the run
 */
public record FuzzSettings(long seed, int cases, boolean strict) {

    public static FuzzSettings fromSystemProperties(long defaultSeed, int defaultCases) {
        return new FuzzSettings(
                Long.decode(System.getProperty("fuzz.seed", Long.toString(defaultSeed))),
                Integer.parseInt(System.getProperty("fuzz.cases", Integer.toString(defaultCases))),
                Boolean.getBoolean("fuzz.strict"));
    }

    /** Cases for a family of {@code weight} parts in {@code totalWeight}: at least one. */
    public int share(int weight, int totalWeight) {
        return Math.max(1, (int) ((long) cases * weight / totalWeight));
    }

    /** How to run exactly this case again. */
    public String reproduce(String family, long index) {
        return "family " + family + " case " + index + " (run again with -Dfuzz.seed=" + seed + " -Dfuzz.cases=" + cases
                + ")";
    }
}
